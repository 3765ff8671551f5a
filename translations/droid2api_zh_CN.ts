<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountPage</name>
    <message>
        <source>Sign in with Factory...</source>
        <translation>使用 Factory 登录...</translation>
    </message>
    <message>
        <source>Or paste a credential (stored with your sign-in, never shown again)</source>
        <translation>或粘贴凭据（与登录信息一同保存，之后不再显示）</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Factory API key:</source>
        <translation>Factory API 密钥：</translation>
    </message>
    <message>
        <source>Refresh token:</source>
        <translation>刷新令牌：</translation>
    </message>
    <message>
        <source>Import from the droid CLI</source>
        <translation>从 droid CLI 导入</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>API key saved.</source>
        <translation>API 密钥已保存。</translation>
    </message>
    <message>
        <source>Refresh token saved.</source>
        <translation>刷新令牌已保存。</translation>
    </message>
    <message>
        <source>Imported the droid CLI sign-in.</source>
        <translation>已导入 droid CLI 的登录信息。</translation>
    </message>
    <message>
        <source>Signed out.</source>
        <translation>已退出登录。</translation>
    </message>
    <message>
        <source>Cancel sign-in</source>
        <translation>取消登录</translation>
    </message>
    <message>
        <source>Signed in as %1.</source>
        <translation>已登录为 %1。</translation>
    </message>
    <message>
        <source>Asking Factory for a sign-in code...</source>
        <translation>正在向 Factory 请求登录验证码...</translation>
    </message>
    <message>
        <source>Using a stored Factory API key.</source>
        <translation>正在使用已保存的 Factory API 密钥。</translation>
    </message>
    <message>
        <source>Tokens are kept in: %1</source>
        <translation>令牌保存位置：%1</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <source>stored (enter a new key to replace it)</source>
        <translation>已保存（输入新密钥以替换）</translation>
    </message>
    <message>
        <source>fk-...</source>
        <translation>fk-...</translation>
    </message>
    <message>
        <source>stored (enter a new token to replace it)</source>
        <translation>已保存（输入新令牌以替换）</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Organisation:</source>
        <translation>组织：</translation>
    </message>
    <message>
        <source>The Factory organisation your requests are billed to (sent as X-Factory-Org-Id)</source>
        <translation>请求计费所属的 Factory 组织（以 X-Factory-Org-Id 发送）</translation>
    </message>
    <message>
        <source>Share the sign-in with the droid CLI (write each renewed token back to it)</source>
        <translation>与 droid CLI 共享登录（每次续期的登录令牌都写回给它）</translation>
    </message>
    <message>
        <source>Factory renews sign-in tokens on every refresh and refuses the old one: without this, the droid CLI would have to sign in again after droid2api renewed a sign-in imported from it.</source>
        <translation>Factory 每次刷新都会换发新的登录令牌并拒绝旧令牌：不勾选时，droid2api 续期了从 droid CLI 导入的登录后，droid CLI 就得重新登录。</translation>
    </message>
    <message>
        <source>Switched organisation.</source>
        <translation>已切换组织。</translation>
    </message>
    <message>
        <source>Sign out of Factory? Requests will fail until you sign in again. The stored tokens are deleted.</source>
        <translation>要退出 Factory 登录吗？在重新登录之前请求都会失败。已保存的登录令牌将被删除。</translation>
    </message>
    <message>
        <source>That did not work: %1</source>
        <translation>操作未成功：%1</translation>
    </message>
    <message>
        <source>Your code: &lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Approve it in the browser window that opened (&lt;a href=&quot;%2&quot;&gt;open it again&lt;/a&gt;). Waiting...</source>
        <translation>你的验证码：&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;请在已打开的浏览器窗口中批准（&lt;a href=&quot;%2&quot;&gt;重新打开&lt;/a&gt;）。正在等待…</translation>
    </message>
    <message>
        <source>Your code: &lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Open &lt;a href=&quot;%2&quot;&gt;%2&lt;/a&gt; in a browser and approve it. Waiting...</source>
        <translation>你的验证码：&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;请在浏览器中打开 &lt;a href=&quot;%2&quot;&gt;%2&lt;/a&gt; 并批准。正在等待…</translation>
    </message>
    <message>
        <source>Sign-in cancelled.</source>
        <translation>已取消登录。</translation>
    </message>
    <message>
        <source>Signed in.</source>
        <translation>已登录。</translation>
    </message>
    <message>
        <source>Sign-in did not work: %1</source>
        <translation>登录未成功：%1</translation>
    </message>
    <message>
        <source>Your Factory sign-in has ended%1: sign in again.</source>
        <translation>你的 Factory 登录已失效%1：请重新登录。</translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation>（%1）</translation>
    </message>
    <message>
        <source>Factory refused this API key: requests fail until you enter a valid key or sign in.</source>
        <translation>Factory 拒绝了这个 API 密钥：在输入有效密钥或登录之前，请求都会失败。</translation>
    </message>
    <message>
        <source>Signed in to Factory.</source>
        <translation>已登录 Factory。</translation>
    </message>
    <message>
        <source>Signed in to Factory as %1.</source>
        <translation>已以 %1 身份登录 Factory。</translation>
    </message>
    <message>
        <source>Renewing the sign-in...</source>
        <translation>正在续期登录…</translation>
    </message>
    <message>
        <source>Factory cannot be reached right now; retrying.</source>
        <translation>暂时无法连接 Factory，正在重试。</translation>
    </message>
    <message>
        <source>Renewed automatically (next before %1).</source>
        <translation>会自动续期（下次在 %1 之前）。</translation>
    </message>
    <message>
        <source>Not signed in to Factory. Requests fail unless a client sends its own Factory key: sign in below.</source>
        <translation>尚未登录 Factory。除非客户端自带 Factory 密钥，否则请求会失败：请在下方登录。</translation>
    </message>
    <message>
        <source>Factory refused the key in the FACTORY_API_KEY environment variable. That variable takes precedence over a sign-in or a key stored here: remove it (or correct it) and start droid2api again.</source>
        <translation>Factory 拒绝了 FACTORY_API_KEY 环境变量中的密钥。该变量优先于此处的登录或保存的密钥：请删除它（或改正它），然后重新启动 droid2api。</translation>
    </message>
    <message>
        <source>Using the FACTORY_API_KEY environment variable (it takes precedence over a sign-in here).</source>
        <translation>正在使用 FACTORY_API_KEY 环境变量（它优先于此处的登录）。</translation>
    </message>
    <message>
        <source>Factory refuses requests with your sign-in%1: sign in again.</source>
        <translation>Factory 拒绝了使用你登录凭据%1的请求：请重新登录。</translation>
    </message>
    <message>
        <source>Sign in with your browser</source>
        <translation>用浏览器登录</translation>
    </message>
    <message>
        <source>Next, connect your coding tools on the Clients page.</source>
        <translation>下一步：在“客户端”页面连接你的编程工具。</translation>
    </message>
</context>
<context>
    <name>ActivityModel</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Request #%1 at %2</source>
        <translation>请求 #%1，时间 %2</translation>
    </message>
    <message>
        <source>Route: %1 %2</source>
        <translation>路由：%1 %2</translation>
    </message>
    <message>
        <source>Model asked for: %1</source>
        <translation>客户端请求的模型：%1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Model served: %1</source>
        <translation>实际使用的模型：%1</translation>
    </message>
    <message>
        <source>Backend: %1</source>
        <translation>后端：%1</translation>
    </message>
    <message>
        <source>(not reached)</source>
        <translation>（未到达）</translation>
    </message>
    <message>
        <source>Status: %1%2</source>
        <translation>状态：%1%2</translation>
    </message>
    <message>
        <source> (the client left)</source>
        <translation>（客户端已断开）</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>Took %1 ms; %2 in, %3 out%4</source>
        <translation>耗时 %1 毫秒；收到 %2，发出 %3%4</translation>
    </message>
    <message>
        <source>, streamed</source>
        <translation>，流式</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>In</source>
        <translation>收到</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>发出</translation>
    </message>
    <message>
        <source>Streamed</source>
        <translation>流式</translation>
    </message>
    <message>
        <source>Factory no longer serves %1 (it refused it earlier in this run); %2 answered</source>
        <translation>Factory 已不再提供 %1（本次运行中它早先拒绝过）；由 %2 回答</translation>
    </message>
    <message>
        <source>Factory refused %1 (%2); %3 answered</source>
        <translation>Factory 拒绝了 %1（%2）；由 %3 回答</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Chosen by the routing rule: %1</source>
        <translation>由路由规则选择：%1</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
</context>
<context>
    <name>ActivityWindow</name>
    <message>
        <source>droid2api Activity</source>
        <translation>droid2api 活动</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>信息及以上</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>仅错误</translation>
    </message>
    <message>
        <source>Log:</source>
        <translation>日志：</translation>
    </message>
    <message>
        <source>Everything (debug)</source>
        <translation>全部（调试）</translation>
    </message>
    <message>
        <source>Select a request to see its details.</source>
        <translation>选择一个请求以查看详情。</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <source>Port %1 is in use by another program, so droid2api is not serving. Choose another port in Settings &gt; General, or use a free one.</source>
        <translation>端口 %1 已被其他程序占用，droid2api 未在提供服务。请在“设置 &gt; 常规”中选择其他端口，或使用一个空闲端口。</translation>
    </message>
    <message>
        <source>droid2api could not start: %1</source>
        <translation>droid2api 无法启动：%1</translation>
    </message>
    <message>
        <source>Not signed in to Factory: requests fail until you sign in (or a client sends its own Factory key).</source>
        <translation>尚未登录 Factory：登录之前请求都会失败（除非客户端自带 Factory 密钥）。</translation>
    </message>
    <message>
        <source>Your Factory sign-in has ended: sign in again.</source>
        <translation>你的 Factory 登录已失效：请重新登录。</translation>
    </message>
    <message>
        <source>Factory refused your API key: enter a valid key or sign in.</source>
        <translation>Factory 拒绝了你的 API 密钥：请输入有效密钥或登录。</translation>
    </message>
    <message>
        <source>the local access key was removed</source>
        <translation>已移除本地访问密钥</translation>
    </message>
    <message>
        <source>the local access key was changed</source>
        <translation>已更改本地访问密钥</translation>
    </message>
    <message>
        <source>no free port found on %1: %2</source>
        <translation>在 %1 上找不到空闲端口：%2</translation>
    </message>
    <message>
        <source>moved to the free port %1</source>
        <translation>已改用空闲端口 %1</translation>
    </message>
    <message>
        <source>signing in to Factory in the browser</source>
        <translation>正在通过浏览器登录 Factory</translation>
    </message>
    <message>
        <source>signed in to Factory</source>
        <translation>已登录 Factory</translation>
    </message>
    <message>
        <source>sign-in failed: %1</source>
        <translation>登录失败：%1</translation>
    </message>
    <message>
        <source>sign-in cancelled</source>
        <translation>已取消登录</translation>
    </message>
    <message>
        <source>%1 %2 (%3): %4</source>
        <translation>%1 %2（%3）：%4</translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>Sign-in did not work: %1</source>
        <translation>登录未成功：%1</translation>
    </message>
    <message>
        <source>Claude Code</source>
        <translation>Claude Code</translation>
    </message>
    <message>
        <source>Codex</source>
        <translation>Codex</translation>
    </message>
    <message>
        <source>updated %1 for %2</source>
        <translation>已为 %2 更新 %1</translation>
    </message>
    <message>
        <source>Not signed in to Factory</source>
        <translation>尚未登录 Factory</translation>
    </message>
    <message>
        <source>Other backends only (no Factory account needed)</source>
        <translation>仅使用其他后端（不需要 Factory 账户）</translation>
    </message>
    <message>
        <source>The Factory sign-in has ended</source>
        <translation>Factory 登录已失效</translation>
    </message>
    <message>
        <source>Factory refused the API key</source>
        <translation>Factory 拒绝了 API 密钥</translation>
    </message>
    <message>
        <source>Checking the sign-in...</source>
        <translation>正在检查登录…</translation>
    </message>
    <message>
        <source>Signed in to Factory</source>
        <translation>已登录 Factory</translation>
    </message>
    <message>
        <source>Factory, with the FACTORY_API_KEY variable</source>
        <translation>Factory（使用 FACTORY_API_KEY 变量）</translation>
    </message>
    <message>
        <source>Factory, with a stored API key</source>
        <translation>Factory（使用已保存的 API 密钥）</translation>
    </message>
    <message>
        <source>You have used %1% of your Factory plan for this period. %2</source>
        <translation>本期 Factory 套餐已用 %1%。%2</translation>
    </message>
    <message>
        <source>Plan: not known (Factory tells its allowance to signed-in accounts).</source>
        <translation>套餐：未知（Factory 只向已登录的账户提供额度信息）。</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 M</translation>
    </message>
    <message>
        <source>Plan: %1 of %2 used (%3%), %4 left</source>
        <translation>套餐：已用 %1 / %2（%3%），剩余 %4</translation>
    </message>
    <message>
        <source>%1; renews on %2.</source>
        <translation>%1；%2 续期。</translation>
    </message>
    <message>
        <source>today %1 credits</source>
        <translation>今天 %1 积分</translation>
    </message>
    <message>
        <source>%1, plan %2% left</source>
        <translation>%1，套餐剩余 %2%</translation>
    </message>
    <message>
        <source>Factory refused the key in the FACTORY_API_KEY environment variable, which overrides the app&apos;s sign-in: remove the variable (or correct it) and start droid2api again.</source>
        <translation>Factory 拒绝了 FACTORY_API_KEY 环境变量中的密钥，该变量会覆盖应用内的登录：请删除该变量（或改正它），然后重新启动 droid2api。</translation>
    </message>
    <message>
        <source>Factory refused the key in FACTORY_API_KEY</source>
        <translation>Factory 拒绝了 FACTORY_API_KEY 中的密钥</translation>
    </message>
    <message>
        <source>Factory refuses requests with your sign-in: sign in again.</source>
        <translation>Factory 拒绝了使用你登录凭据的请求：请重新登录。</translation>
    </message>
    <message>
        <source>Factory refuses the sign-in</source>
        <translation>Factory 拒绝了登录凭据</translation>
    </message>
</context>
<context>
    <name>Autostart</name>
    <message>
        <source>cannot write the Run registry key</source>
        <translation>无法写入 Run 注册表项</translation>
    </message>
    <message>
        <source>cannot remove %1</source>
        <translation>无法删除 %1</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>ClientsPage</name>
    <message>
        <source>Ready-to-copy settings for your tools, filled with this proxy&apos;s address and key:</source>
        <translation>可直接复制到各工具的配置，已填入本代理的地址和密钥：</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Connect...</source>
        <translation>连接...</translation>
    </message>
    <message>
        <source>Disconnect...</source>
        <translation>断开...</translation>
    </message>
    <message>
        <source>Not changed: %1</source>
        <translation>未更改：%1</translation>
    </message>
    <message>
        <source>droid2api</source>
        <translation>droid2api</translation>
    </message>
    <message>
        <source>Write these settings to %1?</source>
        <translation>将这些设置写入 %1？</translation>
    </message>
    <message>
        <source>Restore %1?</source>
        <translation>恢复 %1？</translation>
    </message>
    <message>
        <source>The previous file is kept as a backup. Details shows the change.</source>
        <translation>原文件会保留为备份。“详细信息”中显示具体改动。</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>未做任何更改。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Probe: asking droid2api at %1...</source>
        <translation>探测：正在询问 %1 上的 droid2api...</translation>
    </message>
    <message>
        <source>✓ %1</source>
        <translation>✓ %1</translation>
    </message>
    <message>
        <source>✗ %1: %2</source>
        <translation>✗ %1：%2</translation>
    </message>
    <message>
        <source>%1 will work through droid2api.</source>
        <translation>%1 可以通过 droid2api 正常使用。</translation>
    </message>
    <message>
        <source>%1 will not work until this is fixed.</source>
        <translation>在解决此问题之前，%1 无法使用。</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Its settings cannot be read: %1</source>
        <translation>无法读取它的设置：%1</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>未连接。</translation>
    </message>
    <message>
        <source>Connected to this droid2api.</source>
        <translation>已连接到此 droid2api。</translation>
    </message>
    <message>
        <source>Set up for another address or key: it would fail until updated.</source>
        <translation>设置的是另一个地址或密钥：更新之前将无法使用。</translation>
    </message>
    <message>
        <source>Codex</source>
        <translation>Codex</translation>
    </message>
    <message>
        <source>Claude Code</source>
        <translation>Claude Code</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>EndpointsPage</name>
    <message>
        <source>Anthropic models (Messages):</source>
        <translation>Anthropic 模型（Messages）：</translation>
    </message>
    <message>
        <source>OpenAI models (Responses):</source>
        <translation>OpenAI 模型（Responses）：</translation>
    </message>
    <message>
        <source>Other models (Chat Completions):</source>
        <translation>其他模型（Chat Completions）：</translation>
    </message>
    <message>
        <source>Gemini models:</source>
        <translation>Gemini 模型：</translation>
    </message>
    <message>
        <source>Reset to defaults</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a valid http(s) URL.</source>
        <translation>“%1”不是有效的 http(s) 地址。</translation>
    </message>
    <message>
        <source>Endpoints</source>
        <translation>端点</translation>
    </message>
</context>
<context>
    <name>GeneralPage</name>
    <message>
        <source>Start the proxy when the app starts</source>
        <translation>应用启动时启动代理</translation>
    </message>
    <message>
        <source>Start droid2api when I log in</source>
        <translation>登录系统时启动 droid2api</translation>
    </message>
    <message>
        <source>none: any local client may connect</source>
        <translation>无：任何本地客户端都可连接</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Warnings only</source>
        <translation>仅警告</translation>
    </message>
    <message>
        <source>Developer mode (log upstream request headers, credentials redacted)</source>
        <translation>开发者模式（记录上游请求头，凭据已隐去）</translation>
    </message>
    <message>
        <source>Listen on address:</source>
        <translation>监听地址：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Local access key:</source>
        <translation>本地访问密钥：</translation>
    </message>
    <message>
        <source>Log level:</source>
        <translation>日志级别：</translation>
    </message>
    <message>
        <source>The address must be an IP address such as 127.0.0.1, or localhost.</source>
        <translation>地址必须是 IP 地址（如 127.0.0.1）或 localhost。</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>none: web pages cannot use droid2api (recommended)</source>
        <translation>无：网页不能使用 droid2api（推荐）</translation>
    </message>
    <message>
        <source>Origins of web pages that may call droid2api from a browser, separated by spaces, e.g. http://localhost:5173 or http://localhost:*. Every other page is refused.</source>
        <translation>允许在浏览器中调用 droid2api 的网页来源，以空格分隔，例如 http://localhost:5173 或 http://localhost:*。其他网页一律拒绝。</translation>
    </message>
    <message>
        <source>Web pages allowed:</source>
        <translation>允许的网页：</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a web origin: write scheme://host or scheme://host:port, such as http://localhost:5173 (* stands for any port or name part).</source>
        <translation>“%1”不是网页来源：请写成 scheme://host 或 scheme://host:port，例如 http://localhost:5173（* 代表任意端口或名称的一部分）。</translation>
    </message>
    <message>
        <source>No web page can use droid2api; coding agents and apps are not web pages and are not affected.</source>
        <translation>任何网页都不能使用 droid2api；编程助手和应用不是网页，不受影响。</translation>
    </message>
    <message>
        <source>The pages you allow can spend your Factory account from your browser: set a local access key too, and give it only to the tools you trust.</source>
        <translation>你允许的网页可以通过浏览器消耗你的 Factory 账户额度：请同时设置本地访问密钥，并只交给你信任的工具。</translation>
    </message>
    <message>
        <source>The pages you allow must send the local access key.</source>
        <translation>你允许的网页必须发送本地访问密钥。</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>Use a &amp;free port</source>
        <translation>使用空闲端口(&amp;F)</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>Model id</source>
        <translation>模型 ID</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>推理</translation>
    </message>
    <message>
        <source>Fast</source>
        <translation>快速</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Reset to defaults</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>Model redirects (requested id -&gt; served id):</source>
        <translation>模型重定向（请求的 ID -&gt; 实际使用的 ID）：</translation>
    </message>
    <message>
        <source>Requested id</source>
        <translation>请求的 ID</translation>
    </message>
    <message>
        <source>Served id</source>
        <translation>实际使用的 ID</translation>
    </message>
    <message>
        <source>Add redirect</source>
        <translation>添加重定向</translation>
    </message>
    <message>
        <source>Remove redirect</source>
        <translation>删除重定向</translation>
    </message>
    <message>
        <source>Row %1: the model id is empty.</source>
        <translation>第 %1 行：模型 ID 为空。</translation>
    </message>
    <message>
        <source>Row %1: the model id &apos;%2&apos; is used twice.</source>
        <translation>第 %1 行：模型 ID“%2”重复。</translation>
    </message>
    <message>
        <source>new-model</source>
        <translation>new-model</translation>
    </message>
    <message>
        <source>New model</source>
        <translation>新模型</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Anthropic Messages</source>
        <translation>Anthropic Messages</translation>
    </message>
    <message>
        <source>OpenAI Responses</source>
        <translation>OpenAI Responses</translation>
    </message>
    <message>
        <source>OpenAI Chat</source>
        <translation>OpenAI Chat</translation>
    </message>
    <message>
        <source>Gemini</source>
        <translation>Gemini</translation>
    </message>
    <message>
        <source>Credits</source>
        <translation>积分倍率</translation>
    </message>
    <message>
        <source>Factory&apos;s credit multiplier: what a token of this model costs against the base price</source>
        <translation>Factory 的积分倍率：该模型每个 token（词元）相对基础价格的消耗</translation>
    </message>
    <message>
        <source>&amp;Copy model id</source>
        <translation>复制模型 ID(&amp;C)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; in config.json</source>
        <translation>config.json 中写作“%1”</translation>
    </message>
    <message>
        <source>Deprecated by Factory from %1; served until Factory refuses it</source>
        <translation>Factory 自 %1 起标为弃用；在 Factory 拒绝它之前照常提供</translation>
    </message>
    <message>
        <source>Deprecated by Factory from %1; served until Factory refuses it, then %2 answers</source>
        <translation>Factory 自 %1 起标为弃用；在 Factory 拒绝它之前照常提供，之后由 %2 回答</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>&amp;Test this model</source>
        <translation>测试此模型(&amp;T)</translation>
    </message>
    <message>
        <source>Selected model</source>
        <translation>所选模型</translation>
    </message>
    <message>
        <source>The levels this model supports; Auto follows what the client asks for</source>
        <translation>此模型支持的级别；“自动”按客户端的请求</translation>
    </message>
    <message>
        <source>Where its requests go: Factory, or a backend from config.json&apos;s backends</source>
        <translation>请求发往哪里：Factory，或 config.json 的 backends 中的某个后端</translation>
    </message>
    <message>
        <source>as the type says</source>
        <translation>由类型决定</translation>
    </message>
    <message>
        <source>model ids, in order</source>
        <translation>模型 ID，按顺序</translation>
    </message>
    <message>
        <source>Models that take a request over when this one keeps failing, separated by spaces or commas</source>
        <translation>此模型持续失败时接手请求的模型，用空格或逗号分隔</translation>
    </message>
    <message>
        <source>Fast mode</source>
        <translation>快速模式</translation>
    </message>
    <message>
        <source>Model &amp;id:</source>
        <translation>模型 ID(&amp;I)：</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>显示名称(&amp;D)：</translation>
    </message>
    <message>
        <source>T&amp;ype:</source>
        <translation>类型(&amp;Y)：</translation>
    </message>
    <message>
        <source>&amp;Reasoning:</source>
        <translation>推理(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Backend:</source>
        <translation>后端(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Provider:</source>
        <translation>提供方(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Fallback:</source>
        <translation>备用模型(&amp;F)：</translation>
    </message>
    <message>
        <source>Copy id</source>
        <translation>复制 ID</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Send this model one short real request through droid2api</source>
        <translation>通过 droid2api 给此模型发一个简短的真实请求</translation>
    </message>
    <message>
        <source>Factory</source>
        <translation>Factory</translation>
    </message>
    <message>
        <source>Costs %1 the base price in Factory credits.</source>
        <translation>Factory 积分消耗为基础价格的 %1。</translation>
    </message>
    <message>
        <source>Apply first: droid2api serves %1 once the change is applied.</source>
        <translation>请先应用：更改应用后 droid2api 才会提供 %1。</translation>
    </message>
    <message>
        <source>Start the proxy first.</source>
        <translation>请先启动代理。</translation>
    </message>
    <message>
        <source>Asking %1...</source>
        <translation>正在询问 %1…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
</context>
<context>
    <name>ReasoningPage</name>
    <message>
        <source>Default level (for models set to auto):</source>
        <translation>默认级别（用于设为自动的模型）：</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 个令牌</translation>
    </message>
    <message>
        <source>Thinking budget, %1:</source>
        <translation>思考预算（%1）：</translation>
    </message>
    <message>
        <source>Budgets apply to Anthropic models; OpenAI and Gemini models get the level itself. A request can still choose with the x-reasoning-level header.</source>
        <translation>预算适用于 Anthropic 模型；OpenAI 和 Gemini 模型直接使用级别。单个请求仍可通过 x-reasoning-level 请求头自行选择。</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>推理</translation>
    </message>
</context>
<context>
    <name>RoutingPage</name>
    <message>
        <source>Rules send each kind of request to the model you choose: Claude Code&apos;s title calls to a cheap model, thinking turns to the strongest, long prompts to a big one. The first rule that matches wins; when none does, model redirects apply.</source>
        <translation>规则把每一类请求交给你选定的模型：Claude Code 的标题请求交给便宜的模型，思考轮次交给最强的模型，长提示词交给大模型。第一条匹配的规则生效；都不匹配时，使用模型重定向。</translation>
    </message>
    <message>
        <source>List every model with each reasoning level, as &quot;gpt-5.4(high)&quot;</source>
        <translation>在模型列表中列出每个模型的各个推理级别，如 &quot;gpt-5.4(high)&quot;</translation>
    </message>
    <message>
        <source>Requests use:</source>
        <translation>请求使用：</translation>
    </message>
    <message>
        <source>Presets and their rules</source>
        <translation>预设及其规则</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Model asked</source>
        <translation>请求的模型</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>思考</translation>
    </message>
    <message>
        <source>Prompt tokens ≥</source>
        <translation>提示词 token ≥</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Served by</source>
        <translation>由此模型处理</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>An id, or a pattern with * and ? (&quot;*haiku*&quot;); empty: any</source>
        <translation>ID，或含 * 和 ? 的模式（&quot;*haiku*&quot;）；留空：任意</translation>
    </message>
    <message>
        <source>The coding tool as the Usage window names it; empty: any</source>
        <translation>编程工具，名称与用量窗口中一致；留空：任意</translation>
    </message>
    <message>
        <source>&quot;none&quot;, &quot;any&quot;, or a pattern a tool&apos;s name or type matches (&quot;web_search*&quot;); empty: any</source>
        <translation>&quot;none&quot;、&quot;any&quot;，或匹配工具名称或类型的模式（&quot;web_search*&quot;）；留空：任意</translation>
    </message>
    <message>
        <source>The request path starts with this (&quot;/v1/messages&quot;)</source>
        <translation>请求路径以此开头（&quot;/v1/messages&quot;）</translation>
    </message>
    <message>
        <source>The local estimate of the prompt, as count_tokens answers, is at least this; 0: any</source>
        <translation>提示词的本地估算（与 count_tokens 的结果相同）至少为此值；0：任意</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation>添加规则</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Test a request</source>
        <translation>测试请求</translation>
    </message>
    <message>
        <source>Paste a request body as a client sends it</source>
        <translation>粘贴客户端发送的请求体</translation>
    </message>
    <message>
        <source>Route:</source>
        <translation>路由：</translation>
    </message>
    <message>
        <source>Client:</source>
        <translation>客户端：</translation>
    </message>
    <message>
        <source>a preset needs a name</source>
        <translation>预设需要名称</translation>
    </message>
    <message>
        <source>two presets are named &quot;%1&quot;</source>
        <translation>有两个预设都叫 &quot;%1&quot;</translation>
    </message>
    <message>
        <source>preset &quot;%1&quot;, rule %2</source>
        <translation>预设 &quot;%1&quot; 的第 %2 条规则</translation>
    </message>
    <message>
        <source>%1: choose the model that serves it</source>
        <translation>%1：请选择处理它的模型</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a configured model</source>
        <translation>%1：&quot;%2&quot; 不是已配置的模型</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a valid pattern</source>
        <translation>%1：&quot;%2&quot; 不是有效的模式</translation>
    </message>
    <message>
        <source>%1: the route must be a path such as /v1/messages</source>
        <translation>%1：路由必须是路径，如 /v1/messages</translation>
    </message>
    <message>
        <source>%1 (shipped)</source>
        <translation>%1（内置）</translation>
    </message>
    <message>
        <source>droid2api&apos;s own presets cannot be changed: Duplicate one to start your own from it.</source>
        <translation>droid2api 内置的预设不能修改：复制一个，在副本上建立你自己的预设。</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>The model&apos;s</source>
        <translation>按模型设置</translation>
    </message>
    <message>
        <source>My rules</source>
        <translation>我的规则</translation>
    </message>
    <message>
        <source>My rules %1</source>
        <translation>我的规则 %1</translation>
    </message>
    <message>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <source>%1 (copy %2)</source>
        <translation>%1（副本 %2）</translation>
    </message>
    <message>
        <source>%1 is not a route that generates text (such as /v1/messages)</source>
        <translation>%1 不是生成文本的路由（如 /v1/messages）</translation>
    </message>
    <message>
        <source>The body is not valid JSON: %1</source>
        <translation>请求体不是有效的 JSON：%1</translation>
    </message>
    <message>
        <source>The body must be a JSON object</source>
        <translation>请求体必须是 JSON 对象</translation>
    </message>
    <message>
        <source>The body names no model (&quot;model&quot;)</source>
        <translation>请求体没有指定模型（&quot;model&quot;）</translation>
    </message>
    <message>
        <source>Rule %1, &quot;%2&quot;, of &quot;%3&quot; matches: %4 asked, served by %5</source>
        <translation>匹配 &quot;%3&quot; 的第 %1 条规则 &quot;%2&quot;：请求 %4，由 %5 处理</translation>
    </message>
    <message>
        <source> at reasoning level %1</source>
        <translation>，推理级别 %1</translation>
    </message>
    <message>
        <source>No rule matches: model redirects send %1 to %2</source>
        <translation>没有匹配的规则：模型重定向把 %1 交给 %2</translation>
    </message>
    <message>
        <source>No rule matches: served by %1, as asked</source>
        <translation>没有匹配的规则：按请求由 %1 处理</translation>
    </message>
    <message>
        <source> (reasoning level %1, from the model&apos;s name)</source>
        <translation>（推理级别 %1，来自模型名称）</translation>
    </message>
    <message>
        <source>; %1 is not a configured model, so the request would be refused</source>
        <translation>；%1 不是已配置的模型，请求会被拒绝</translation>
    </message>
    <message>
        <source>(Requests use &quot;%1&quot; until you choose this preset above.)</source>
        <translation>（在上方选择此预设之前，请求使用 &quot;%1&quot;。）</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>droid2api Settings</source>
        <translation>droid2api 设置</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>Apply your changes before closing?</source>
        <translation>关闭前要应用你的更改吗？</translation>
    </message>
    <message>
        <source>Update your coding tools?</source>
        <translation>要更新你的编程工具吗？</translation>
    </message>
    <message>
        <source>%1 still point at the old address or key and would fail. Update their settings now? (A backup of each file is kept.)</source>
        <translation>%1 仍指向旧的地址或密钥，将无法使用。现在更新它们的设置吗？（每个文件都会保留备份。）</translation>
    </message>
    <message>
        <source>Your changes cannot be applied as they are (%1). Discard them?</source>
        <translation>你的更改目前无法应用（%1）。要放弃这些更改吗？</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Auto (as the client asks)</source>
        <translation>自动（按客户端请求）</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Extra high</source>
        <translation>极高</translation>
    </message>
    <message>
        <source>Minimal</source>
        <translation>最低</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最高</translation>
    </message>
</context>
<context>
    <name>StatusWindow</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>droid2api</source>
        <translation>droid2api</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <source>For OpenAI clients:</source>
        <translation>OpenAI 客户端用：</translation>
    </message>
    <message>
        <source>Account:</source>
        <translation>账户：</translation>
    </message>
    <message>
        <source>Coding tools:</source>
        <translation>编程工具：</translation>
    </message>
    <message>
        <source>Last errors:</source>
        <translation>最近的错误：</translation>
    </message>
    <message>
        <source>&amp;Activity...</source>
        <translation>活动(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Settings...</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Running: coding tools can use droid2api.</source>
        <translation>运行中：编程工具可以使用 droid2api。</translation>
    </message>
    <message>
        <source>Stopped: droid2api is not serving.</source>
        <translation>已停止：droid2api 未在提供服务。</translation>
    </message>
    <message>
        <source>Use a &amp;free port</source>
        <translation>使用空闲端口(&amp;F)</translation>
    </message>
    <message>
        <source>Cancel sign-in</source>
        <translation>取消登录</translation>
    </message>
    <message>
        <source>Sign &amp;in to Factory...</source>
        <translation>登录 Factory(&amp;I)…</translation>
    </message>
    <message>
        <source>Open Settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <source>S&amp;tart</source>
        <translation>启动(&amp;T)</translation>
    </message>
    <message>
        <source>%1: its settings cannot be read (%2)</source>
        <translation>%1：无法读取其设置（%2）</translation>
    </message>
    <message>
        <source>%1: not connected (Settings &gt; Clients)</source>
        <translation>%1：未连接（设置 &gt; 客户端）</translation>
    </message>
    <message>
        <source>%1: connected</source>
        <translation>%1：已连接</translation>
    </message>
    <message>
        <source>%1: connected, but set up for another address or key</source>
        <translation>%1：已连接，但配置的是其他地址或密钥</translation>
    </message>
    <message>
        <source>Update %1</source>
        <translation>更新 %1</translation>
    </message>
    <message>
        <source>None.</source>
        <translation>无。</translation>
    </message>
    <message>
        <source>S&amp;top proxy</source>
        <translation>停止代理(&amp;T)</translation>
    </message>
    <message>
        <source>S&amp;tart proxy</source>
        <translation>启动代理(&amp;T)</translation>
    </message>
    <message>
        <source>There is no system tray here. Quit droid2api, or keep serving in the background? Start droid2api again to bring this window back.</source>
        <translation>这里没有系统托盘。要退出 droid2api，还是在后台继续提供服务？再次启动 droid2api 即可重新打开此窗口。</translation>
    </message>
    <message>
        <source>Keep serving</source>
        <translation>继续提供服务</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Usage:</source>
        <translation>用量：</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <source>Cancel sign-in (code %1)</source>
        <translation>取消登录（验证码 %1）</translation>
    </message>
    <message>
        <source>&amp;Usage...</source>
        <translation>用量(&amp;U)…</translation>
    </message>
    <message>
        <source>Running, but %1 is set up for another address or key and fails: update it below.</source>
        <translation>正在运行，但 %1 设置的是另一个地址或密钥，会失败：请在下方更新它。</translation>
    </message>
    <message>
        <source>%1 (resolved)</source>
        <translation>%1（已解决）</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>droid2api</source>
        <translation>droid2api</translation>
    </message>
    <message>
        <source>Copied %1</source>
        <translation>已复制 %1</translation>
    </message>
    <message>
        <source>Reasoning default</source>
        <translation>默认推理级别</translation>
    </message>
    <message>
        <source>Auto (as the client asks)</source>
        <translation>自动（按客户端请求）</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Running on %1</source>
        <translation>运行中：%1</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>droid2api - %1</source>
        <translation>droid2api - %1</translation>
    </message>
    <message>
        <source>Copy %1</source>
        <translation>复制 %1</translation>
    </message>
    <message>
        <source>(circuit open: %1)</source>
        <translation>（熔断已打开：%1）</translation>
    </message>
    <message>
        <source>Use a &amp;free port</source>
        <translation>使用空闲端口(&amp;F)</translation>
    </message>
    <message>
        <source>Minimal</source>
        <translation>最低</translation>
    </message>
    <message>
        <source>Extra high</source>
        <translation>超高</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最高</translation>
    </message>
    <message>
        <source>&amp;Settings...</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Choose &quot;Sign in to Factory&quot; in the droid2api menu, or click here.</source>
        <translation>请在 droid2api 菜单中选择“登录 Factory”，或点击此处。</translation>
    </message>
    <message>
        <source>Signed in to Factory.</source>
        <translation>已登录 Factory。</translation>
    </message>
    <message>
        <source>Signed in to Factory as %1.</source>
        <translation>已以 %1 身份登录 Factory。</translation>
    </message>
    <message>
        <source>Sign-in did not work: %1</source>
        <translation>登录未成功：%1</translation>
    </message>
    <message>
        <source>Not serving: port %1 is in use</source>
        <translation>未提供服务：端口 %1 已被占用</translation>
    </message>
    <message>
        <source>Not serving: %1</source>
        <translation>未提供服务：%1</translation>
    </message>
    <message>
        <source>Sign &amp;in to Factory...</source>
        <translation>登录 Factory(&amp;I)…</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%2 上的 %1</translation>
    </message>
    <message>
        <source>S&amp;top proxy</source>
        <translation>停止代理(&amp;T)</translation>
    </message>
    <message>
        <source>S&amp;tart proxy</source>
        <translation>启动代理(&amp;T)</translation>
    </message>
    <message>
        <source>A&amp;ccount...</source>
        <translation>账户(&amp;C)…</translation>
    </message>
    <message>
        <source>A&amp;ccount: %1</source>
        <translation>账户(&amp;C)：%1</translation>
    </message>
    <message>
        <source>St&amp;atus...</source>
        <translation>状态(&amp;A)…</translation>
    </message>
    <message>
        <source>Acti&amp;vity...</source>
        <translation>活动(&amp;V)…</translation>
    </message>
    <message>
        <source>&amp;Usage...</source>
        <translation>用量(&amp;U)…</translation>
    </message>
    <message>
        <source>Usage: %1</source>
        <translation>用量：%1</translation>
    </message>
    <message>
        <source>%1 is no longer served by Factory; requests now go to %2: change it in Settings</source>
        <translation>Factory 已不再提供 %1；请求现在转给 %2：请在设置中更改</translation>
    </message>
    <message>
        <source>Sign in to Factory: approve the code %1 on %2 (opened in your browser).</source>
        <translation>登录 Factory：请在 %2 上批准验证码 %1（已在浏览器中打开）。</translation>
    </message>
    <message>
        <source>Sign in to Factory: open %1 in a browser and approve the code %2.</source>
        <translation>登录 Factory：请在浏览器中打开 %1 并批准验证码 %2。</translation>
    </message>
    <message>
        <source>Sign-in cancelled.</source>
        <translation>已取消登录。</translation>
    </message>
    <message>
        <source>Waiting for the sign-in: approve %1 on %2</source>
        <translation>正在等待登录：请在 %2 上批准 %1</translation>
    </message>
    <message>
        <source>Cancel sign-in (asking Factory for a code)</source>
        <translation>取消登录（正在向 Factory 请求验证码）</translation>
    </message>
    <message>
        <source>Cancel sign-in (code %1)</source>
        <translation>取消登录（验证码 %1）</translation>
    </message>
    <message>
        <source>droid2api now serves on %1.</source>
        <translation>droid2api 现在在 %1 上提供服务。</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>As asked</source>
        <translation>按请求</translation>
    </message>
    <message>
        <source>Save credits</source>
        <translation>节省额度</translation>
    </message>
    <message>
        <source>Think harder</source>
        <translation>深入思考</translation>
    </message>
</context>
<context>
    <name>UsageChart</name>
    <message>
        <source>No usage recorded in these days.</source>
        <translation>这些天没有记录到用量。</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Factory credits per day</source>
        <translation>每天的 Factory 积分</translation>
    </message>
    <message>
        <source>Tokens per day</source>
        <translation>每天的 token（词元）数</translation>
    </message>
</context>
<context>
    <name>UsageWindow</name>
    <message>
        <source>Tokens</source>
        <translation>token（词元）</translation>
    </message>
    <message>
        <source>Factory credits</source>
        <translation>Factory 积分</translation>
    </message>
    <message>
        <source>&amp;Export CSV...</source>
        <translation>导出 CSV(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>从(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>到(&amp;T)：</translation>
    </message>
    <message>
        <source>S&amp;how:</source>
        <translation>显示(&amp;H)：</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Cached</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>推理</translation>
    </message>
    <message>
        <source>Credits</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Coding tool</source>
        <translation>编程工具</translation>
    </message>
    <message>
        <source>By &amp;model</source>
        <translation>按模型(&amp;M)</translation>
    </message>
    <message>
        <source>By coding too&amp;l</source>
        <translation>按编程工具(&amp;L)</translation>
    </message>
    <message>
        <source>Export usage</source>
        <translation>导出用量</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Exported to %1.</source>
        <translation>已导出到 %1。</translation>
    </message>
    <message>
        <source>Not exported: %1</source>
        <translation>未导出：%1</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Usage cannot be recorded here (see the log).</source>
        <translation>此处无法记录用量（见日志）。</translation>
    </message>
    <message>
        <source>Usage recording is off (usage_recording in config.json).</source>
        <translation>用量记录已关闭（config.json 中的 usage_recording）。</translation>
    </message>
    <message>
        <source>%1 tokens, %2 Factory credits in these days; today %3 credits. Credits are tokens times the model&apos;s multiplier, an estimate of what Factory counts.</source>
        <translation>这些天共 %1 个 token（词元）、%2 Factory 积分；今天 %3 积分。积分 = token 数 × 模型倍率，是对 Factory 计数的估算。</translation>
    </message>
    <message>
        <source>droid2api Usage</source>
        <translation>droid2api 用量</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Routing rule</source>
        <translation>路由规则</translation>
    </message>
    <message>
        <source>Requests answered</source>
        <translation>已得到应答的请求</translation>
    </message>
    <message>
        <source>Requests answered with an error (HTTP status 400 or above)</source>
        <translation>以错误应答的请求（HTTP 状态码 400 及以上）</translation>
    </message>
    <message>
        <source>By routing &amp;rule</source>
        <translation>按路由规则(&amp;R)</translation>
    </message>
    <message>
        <source>None (the model asked for)</source>
        <translation>无（使用所请求的模型）</translation>
    </message>
    <message numerus="yes">
        <source>%n of these days&apos; %1 requests failed (answered with an error); they are counted in the Failed column, not with the answered ones.</source>
        <translation>
            <numerusform>这些天的 %1 个请求中有 %n 个失败（以错误应答）；它们计入“失败”列，不与已得到应答的请求合计。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>d2a::AuthText</name>
    <message>
        <source>not signed in, or a refresh is in progress</source>
        <translation>尚未登录，或正在续期登录</translation>
    </message>
    <message>
        <source>cannot read the token store: %1</source>
        <translation>无法读取登录令牌存储：%1</translation>
    </message>
    <message>
        <source>no token store</source>
        <translation>没有登录令牌存储</translation>
    </message>
    <message>
        <source>could not save the Factory tokens (%1); they are kept in memory and saved again on the next change</source>
        <translation>无法保存 Factory 登录令牌（%1）；令牌暂存在内存中，下次变更时会再次保存</translation>
    </message>
    <message>
        <source>sign-in cancelled</source>
        <translation>已取消登录</translation>
    </message>
    <message>
        <source>the sign-in code expired before it was approved; start again</source>
        <translation>登录代码在批准前已过期；请重新开始</translation>
    </message>
    <message>
        <source>sign-in was denied in the browser</source>
        <translation>登录已在浏览器中被拒绝</translation>
    </message>
    <message>
        <source>%1 does not hold a 32-byte key</source>
        <translation>%1 中没有 32 字节的密钥</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>the OS keyring is not available (%1)</source>
        <translation>系统密钥环不可用（%1）</translation>
    </message>
    <message>
        <source>the OS keyring holds no droid CLI key (service &quot;Factory CLI&quot;)</source>
        <translation>系统密钥环中没有 droid CLI 的密钥（服务 &quot;Factory CLI&quot;）</translation>
    </message>
    <message>
        <source>the droid CLI&apos;s keyring entry</source>
        <translation>droid CLI 的密钥环条目</translation>
    </message>
    <message>
        <source>this build reads no keyring (built without libsecret)</source>
        <translation>此版本无法读取密钥环（构建时未包含 libsecret）</translation>
    </message>
    <message>
        <source>the OS keychain holds no droid CLI key (%1)</source>
        <translation>系统钥匙串中没有 droid CLI 的密钥（%1）</translation>
    </message>
    <message>
        <source>the droid CLI&apos;s keychain entry</source>
        <translation>droid CLI 的钥匙串条目</translation>
    </message>
    <message>
        <source>the key must be 32 bytes</source>
        <translation>密钥必须为 32 字节</translation>
    </message>
    <message>
        <source>no random bytes for the IV</source>
        <translation>无法为 IV 取得随机字节</translation>
    </message>
    <message>
        <source>AES-256-GCM encryption failed</source>
        <translation>AES-256-GCM 加密失败</translation>
    </message>
    <message>
        <source>not the droid CLI&apos;s format (iv:tag:ciphertext)</source>
        <translation>不是 droid CLI 的格式（iv:tag:ciphertext）</translation>
    </message>
    <message>
        <source>not the droid CLI&apos;s format (iv or tag length)</source>
        <translation>不是 droid CLI 的格式（iv 或 tag 长度不对）</translation>
    </message>
    <message>
        <source>cannot decrypt it</source>
        <translation>无法解密</translation>
    </message>
    <message>
        <source>cannot decrypt it (wrong key, or the file was altered)</source>
        <translation>无法解密（密钥不对，或文件已被改动）</translation>
    </message>
    <message>
        <source>%1 decrypts to something that is not the CLI&apos;s JSON</source>
        <translation>%1 解密后不是 CLI 的 JSON</translation>
    </message>
    <message>
        <source>%1 holds no refresh token</source>
        <translation>%1 中没有刷新令牌</translation>
    </message>
    <message>
        <source>%1 exists but its key, auth.v2.key, is missing</source>
        <translation>%1 存在，但它的密钥 auth.v2.key 不见了</translation>
    </message>
    <message>
        <source>the droid CLI is not signed in on this machine (no auth.v2.* or auth.json in %1)</source>
        <translation>这台机器上的 droid CLI 尚未登录（%1 中没有 auth.v2.* 或 auth.json）</translation>
    </message>
    <message>
        <source>%1 has no refresh_token</source>
        <translation>%1 中没有 refresh_token</translation>
    </message>
    <message>
        <source>the droid CLI store was not read with a key (auth.json is never written)</source>
        <translation>droid CLI 的存储不是用密钥读取的（从不写入 auth.json）</translation>
    </message>
    <message>
        <source>timed out waiting for the droid CLI&apos;s write lock in %1</source>
        <translation>等待 %1 中 droid CLI 的写锁超时</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>cannot remove %1</source>
        <translation>无法删除 %1</translation>
    </message>
    <message>
        <source>macOS Keychain, service &quot;%1&quot;</source>
        <translation>macOS 钥匙串，服务 &quot;%1&quot;</translation>
    </message>
    <message>
        <source>Windows Credential Manager, &quot;%1&quot;</source>
        <translation>Windows 凭据管理器，&quot;%1&quot;</translation>
    </message>
    <message>
        <source>Secret Service keyring, service &quot;%1&quot;</source>
        <translation>Secret Service 密钥环，服务 &quot;%1&quot;</translation>
    </message>
    <message>
        <source>access to the keychain was denied by the user</source>
        <translation>用户拒绝了对钥匙串的访问</translation>
    </message>
    <message>
        <source>access to the keychain was denied (is it locked?): %1</source>
        <translation>对钥匙串的访问被拒绝（是否已锁定？）：%1</translation>
    </message>
    <message>
        <source>no OS keychain is available on this system</source>
        <translation>此系统上没有可用的系统钥匙串</translation>
    </message>
    <message>
        <source>the OS keychain failed (is a Secret Service such as gnome-keyring running and unlocked?): %1</source>
        <translation>系统钥匙串出错（gnome-keyring 等 Secret Service 是否在运行并已解锁？）：%1</translation>
    </message>
    <message>
        <source>keychain store is gone</source>
        <translation>钥匙串存储已不存在</translation>
    </message>
    <message>
        <source>the OS keychain cannot be used (%1); tokens are kept in %2, readable only by you, until the keychain works again</source>
        <translation>系统钥匙串无法使用（%1）；在钥匙串恢复可用之前，登录令牌保存在 %2 中，仅你本人可读</translation>
    </message>
</context>
<context>
    <name>d2a::ClientProbe</name>
    <message>
        <source>reaches droid2api</source>
        <translation>能连到 droid2api</translation>
    </message>
    <message>
        <source>droid2api refused the key: use the local access key</source>
        <translation>droid2api 拒绝了该密钥：请使用本地访问密钥</translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>nothing answers there: is droid2api running on this address?</source>
        <translation>该地址无人应答：droid2api 是否在这个地址上运行？</translation>
    </message>
    <message>
        <source>droid2api is signed in</source>
        <translation>droid2api 已登录</translation>
    </message>
    <message>
        <source>no model is served by Factory</source>
        <translation>没有由 Factory 提供的模型</translation>
    </message>
    <message>
        <source>not signed in to Factory: sign in (tray menu or droid2api --sign-in)</source>
        <translation>尚未登录 Factory：请登录（托盘菜单或 droid2api --sign-in）</translation>
    </message>
    <message>
        <source>the Factory sign-in has ended: sign in again</source>
        <translation>Factory 登录已失效：请重新登录</translation>
    </message>
    <message>
        <source>Factory refused the API key</source>
        <translation>Factory 拒绝了 API 密钥</translation>
    </message>
    <message>
        <source>Factory answered</source>
        <translation>Factory 已应答</translation>
    </message>
    <message>
        <source>HTTP %1: %2</source>
        <translation>HTTP %1：%2</translation>
    </message>
    <message>
        <source>%1 answers</source>
        <translation>%1 作答</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>answered in %1 (no text: the answer room went to reasoning)</source>
        <translation>用时 %1 作答（没有文字：输出额度都用在了推理上）</translation>
    </message>
    <message>
        <source>answered in %1: “%2”</source>
        <translation>用时 %1 作答：“%2”</translation>
    </message>
</context>
<context>
    <name>d2a::ConfigText</name>
    <message>
        <source>%1: key &apos;%2&apos;: %3</source>
        <translation>%1：键 &apos;%2&apos;：%3</translation>
    </message>
    <message>
        <source>a boolean</source>
        <translation>布尔值</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>字符串</translation>
    </message>
    <message>
        <source>an array</source>
        <translation>数组</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>expected %1, got %2</source>
        <translation>应为%1，实际为%2</translation>
    </message>
    <message>
        <source>expected a whole number, got %1</source>
        <translation>应为整数，实际为%1</translation>
    </message>
    <message>
        <source>expected a whole number from %1 to %2, got %3</source>
        <translation>应为 %1 到 %2 之间的整数，实际为 %3</translation>
    </message>
    <message>
        <source>a URL string</source>
        <translation>URL 字符串</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a valid http(s) URL</source>
        <translation>&apos;%1&apos; 不是有效的 http(s) URL</translation>
    </message>
    <message>
        <source>line %1, column %2</source>
        <translation>第 %1 行第 %2 列</translation>
    </message>
    <message>
        <source>anthropic, openai, common or google</source>
        <translation>anthropic、openai、common 或 google</translation>
    </message>
    <message>
        <source>auto, off (or none), minimal, low, medium, high, xhigh or max</source>
        <translation>auto、off（或 none）、minimal、low、medium、high、xhigh 或 max</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true 或 false</translation>
    </message>
    <message>
        <source>expected %1</source>
        <translation>应为 %1</translation>
    </message>
    <message>
        <source>an array of levels</source>
        <translation>级别数组</translation>
    </message>
    <message>
        <source>unknown level (expected %1)</source>
        <translation>未知的级别（应为 %1）</translation>
    </message>
    <message>
        <source>unknown style (expected budget, budget_effort, adaptive, adaptive_summarized, effort_summary, effort, reasoning_effort, chat_template, none or thinking_level)</source>
        <translation>未知的样式（应为 budget、budget_effort、adaptive、adaptive_summarized、effort_summary、effort、reasoning_effort、chat_template、none 或 thinking_level）</translation>
    </message>
    <message>
        <source>an array of strings</source>
        <translation>字符串数组</translation>
    </message>
    <message>
        <source>must be a date like 2026-07-24</source>
        <translation>必须是形如 2026-07-24 的日期</translation>
    </message>
    <message>
        <source>must not be empty</source>
        <translation>不能为空</translation>
    </message>
    <message>
        <source>unknown type &apos;%1&apos; (expected %2)</source>
        <translation>未知的类型 &apos;%1&apos;（应为 %2）</translation>
    </message>
    <message>
        <source>unknown level &apos;%1&apos; (expected %2)</source>
        <translation>未知的级别 &apos;%1&apos;（应为 %2）</translation>
    </message>
    <message>
        <source>a backend name</source>
        <translation>后端名称</translation>
    </message>
    <message>
        <source>an array of model ids</source>
        <translation>模型 ID 数组</translation>
    </message>
    <message>
        <source>duplicate model id &apos;%1&apos;</source>
        <translation>重复的模型 ID &apos;%1&apos;</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an IP address or &apos;localhost&apos;</source>
        <translation>&apos;%1&apos; 不是 IP 地址，也不是 &apos;localhost&apos;</translation>
    </message>
    <message>
        <source>a model id string</source>
        <translation>模型 ID 字符串</translation>
    </message>
    <message>
        <source>&apos;%1&apos; does not exist</source>
        <translation>&apos;%1&apos; 不存在</translation>
    </message>
    <message>
        <source>unknown type (expected %1)</source>
        <translation>未知的类型（应为 %1）</translation>
    </message>
    <message>
        <source>an object of header strings</source>
        <translation>由请求头字符串组成的对象</translation>
    </message>
    <message>
        <source>must be a unique name other than &apos;factory&apos;</source>
        <translation>必须是唯一的名称，且不能是 &apos;factory&apos;</translation>
    </message>
    <message>
        <source>debug, info or warning</source>
        <translation>debug、info 或 warning</translation>
    </message>
    <message>
        <source>%1: invalid JSON at %2: %3</source>
        <translation>%1：%2 处的 JSON 无效：%3</translation>
    </message>
    <message>
        <source>%1: the top level must be a JSON object</source>
        <translation>%1：顶层必须是 JSON 对象</translation>
    </message>
    <message>
        <source>model &apos;%1&apos; names backend &apos;%2&apos;, which backends[] does not define</source>
        <translation>模型 &apos;%1&apos; 指定了后端 &apos;%2&apos;，但 backends[] 中没有定义它</translation>
    </message>
    <message>
        <source>%1: the file does not exist</source>
        <translation>%1：文件不存在</translation>
    </message>
    <message>
        <source>%1: cannot read it: %2</source>
        <translation>%1：无法读取：%2</translation>
    </message>
    <message>
        <source>%1: cannot create it: %2</source>
        <translation>%1：无法创建：%2</translation>
    </message>
    <message>
        <source>%1: cannot write it: %2</source>
        <translation>%1：无法写入：%2</translation>
    </message>
    <message>
        <source>%1: cannot keep the previous version as .bak</source>
        <translation>%1：无法把上一版本保存为 .bak</translation>
    </message>
    <message>
        <source>a preset name</source>
        <translation>预设名称</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a configured model</source>
        <translation>“%1”不是已配置的模型</translation>
    </message>
    <message>
        <source>no preset is named &apos;%1&apos; (presets: %2)</source>
        <translation>没有名为“%1”的预设（现有预设：%2）</translation>
    </message>
    <message>
        <source>rule %1</source>
        <translation>规则 %1</translation>
    </message>
    <message>
        <source>expected an array of {name, rules}</source>
        <translation>应为 {name, rules} 组成的数组</translation>
    </message>
    <message>
        <source>expected an object with a non-empty &apos;name&apos; and &apos;rules&apos;</source>
        <translation>应为带有非空“name”和“rules”的对象</translation>
    </message>
    <message>
        <source>expected an array of rules</source>
        <translation>应为规则数组</translation>
    </message>
    <message>
        <source>expected an object with &apos;match&apos; and &apos;model&apos;</source>
        <translation>应为带有“match”和“model”的对象</translation>
    </message>
    <message>
        <source>expected name, match, model or reasoning</source>
        <translation>应为 name、match、model 或 reasoning</translation>
    </message>
    <message>
        <source>expected the id of the model that serves it</source>
        <translation>应为处理该请求的模型 ID</translation>
    </message>
    <message>
        <source>expected auto, off, minimal, low, medium, high, xhigh or max</source>
        <translation>应为 auto、off、minimal、low、medium、high、xhigh 或 max</translation>
    </message>
    <message>
        <source>expected an object</source>
        <translation>应为对象</translation>
    </message>
    <message>
        <source>expected one of %1</source>
        <translation>应为以下之一：%1</translation>
    </message>
    <message>
        <source>expected true or false</source>
        <translation>应为 true 或 false</translation>
    </message>
    <message>
        <source>expected a number of tokens (at least 1)</source>
        <translation>应为 token 数（至少为 1）</translation>
    </message>
    <message>
        <source>expected a non-empty string</source>
        <translation>应为非空字符串</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a valid pattern</source>
        <translation>“%1”不是有效的匹配模式</translation>
    </message>
    <message>
        <source>expected a path such as /v1/messages</source>
        <translation>应为路径，例如 /v1/messages</translation>
    </message>
</context>
<context>
    <name>d2a::SetupText</name>
    <message>
        <source>%1: cannot read it: %2</source>
        <translation>%1：无法读取：%2</translation>
    </message>
    <message>
        <source>%1: cannot write it: %2</source>
        <translation>%1：无法写入：%2</translation>
    </message>
    <message>
        <source>droid2api does not write %1&apos;s settings; see `droid2api connect %1` for instructions</source>
        <translation>droid2api 不会写入 %1 的设置；设置方法见 `droid2api connect %1`</translation>
    </message>
    <message>
        <source>%1: cannot keep a backup at %2; nothing was changed</source>
        <translation>%1：无法在 %2 保存备份；没有做任何改动</translation>
    </message>
    <message>
        <source>wrote %1 (a new file)</source>
        <translation>已写入 %1（新文件）</translation>
    </message>
    <message>
        <source>wrote %1 (the previous version is in %2)</source>
        <translation>已写入 %1（上一版本在 %2）</translation>
    </message>
    <message>
        <source>droid2api has not connected %1 on this machine; nothing to undo</source>
        <translation>droid2api 没有在这台机器上连接过 %1；没有可撤销的内容</translation>
    </message>
    <message>
        <source>the backup %1 is gone; remove droid2api&apos;s keys by hand</source>
        <translation>备份 %1 已不存在；请手动删除 droid2api 写入的键</translation>
    </message>
    <message>
        <source>--- %1
(droid2api created this file; it is removed)
</source>
        <translation>--- %1
（此文件由 droid2api 创建；将被删除）
</translation>
    </message>
    <message>
        <source>%1: cannot remove it</source>
        <translation>%1：无法删除</translation>
    </message>
    <message>
        <source>removed %1, which droid2api had created</source>
        <translation>已删除 droid2api 创建的 %1</translation>
    </message>
    <message>
        <source>restored %1</source>
        <translation>已恢复 %1</translation>
    </message>
    <message>
        <source>not valid JSON (%1); the file was not changed</source>
        <translation>不是有效的 JSON（%1）；文件未被改动</translation>
    </message>
    <message>
        <source>the top level is not an object</source>
        <translation>顶层不是对象</translation>
    </message>
    <message>
        <source>not valid TOML at line %1 (a malformed table header); the file was not changed</source>
        <translation>第 %1 行不是有效的 TOML（表头格式错误）；文件未被改动</translation>
    </message>
    <message>
        <source>not valid TOML at line %1; the file was not changed</source>
        <translation>第 %1 行不是有效的 TOML；文件未被改动</translation>
    </message>
    <message>
        <source>not valid TOML at line %1 (an unterminated string); the file was not changed</source>
        <translation>第 %1 行不是有效的 TOML（字符串未结束）；文件未被改动</translation>
    </message>
    <message>
        <source>not valid TOML at line %1 (unbalanced brackets); the file was not changed</source>
        <translation>第 %1 行不是有效的 TOML（括号不配对）；文件未被改动</translation>
    </message>
    <message>
        <source>not valid TOML (an unterminated array, table or string); the file was not changed</source>
        <translation>不是有效的 TOML（数组、表或字符串未结束）；文件未被改动</translation>
    </message>
</context>
<context>
    <name>d2a::UsageText</name>
    <message>
        <source>usage is not recorded: Qt&apos;s SQLite driver is missing (install libqt6sql6-sqlite)</source>
        <translation>不记录用量：缺少 Qt 的 SQLite 驱动（请安装 libqt6sql6-sqlite）</translation>
    </message>
    <message>
        <source>usage is not recorded: cannot open %1: %2</source>
        <translation>不记录用量：无法打开 %1：%2</translation>
    </message>
    <message>
        <source>usage is not recorded: %1 was written by a newer droid2api</source>
        <translation>不记录用量：%1 由更新版本的 droid2api 写入</translation>
    </message>
    <message>
        <source>usage is not recorded: cannot prepare %1: %2</source>
        <translation>不记录用量：无法准备 %1：%2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>the OS keychain</source>
        <translation>系统钥匙串</translation>
    </message>
    <message>
        <source>a file readable only by you</source>
        <translation>仅你可读的文件</translation>
    </message>
    <message>
        <source>droid2api: signed out; stored tokens removed</source>
        <translation>droid2api：已退出登录，已删除保存的令牌</translation>
    </message>
    <message>
        <source>droid2api: sign-out failed: %1</source>
        <translation>droid2api：退出登录失败：%1</translation>
    </message>
    <message>
        <source>droid2api: imported the droid CLI sign-in into %1</source>
        <translation>droid2api：已将 droid CLI 的登录信息导入到%1</translation>
    </message>
    <message>
        <source>droid2api: cannot import: %1</source>
        <translation>droid2api：无法导入：%1</translation>
    </message>
    <message>
        <source>To sign in to Factory, open %1
and enter the code %2 (or open %3). The code expires in %4 minutes.</source>
        <translation>要登录 Factory，请打开 %1
并输入验证码 %2（或直接打开 %3）。验证码将在 %4 分钟后过期。</translation>
    </message>
    <message>
        <source>Waiting for you to approve it... (Ctrl+C cancels)</source>
        <translation>正在等待你批准...（按 Ctrl+C 取消）</translation>
    </message>
    <message>
        <source>droid2api: signed in, but the tokens could not be stored: %1</source>
        <translation>droid2api：已登录，但无法保存令牌：%1</translation>
    </message>
    <message>
        <source>droid2api: signed in%1; tokens stored in %2</source>
        <translation>droid2api：已登录%1；令牌已保存到%2</translation>
    </message>
    <message>
        <source>droid2api: sign-in failed: %1</source>
        <translation>droid2api：登录失败：%1</translation>
    </message>
    <message>
        <source>A local bridge that serves OpenAI, Anthropic and Gemini API clients from Factory.ai.</source>
        <translation>本地桥接工具：通过 Factory.ai 为 OpenAI、Anthropic 和 Gemini API 客户端提供服务。</translation>
    </message>
    <message>
        <source>Run the proxy without any GUI.</source>
        <translation>不带图形界面运行代理。</translation>
    </message>
    <message>
        <source>Read the configuration from &lt;file&gt;.</source>
        <translation>从 &lt;file&gt; 读取配置。</translation>
    </message>
    <message>
        <source>Listen on &lt;address&gt; (default from config).</source>
        <translation>监听 &lt;address&gt;（默认取自配置）。</translation>
    </message>
    <message>
        <source>Listen on &lt;port&gt;; 0 picks a free one.</source>
        <translation>监听 &lt;port&gt;；0 表示自动选择空闲端口。</translation>
    </message>
    <message>
        <source>Sign in to Factory in the browser (device code), store the tokens and exit.</source>
        <translation>在浏览器中登录 Factory（设备验证码），保存令牌后退出。</translation>
    </message>
    <message>
        <source>Forget the stored Factory tokens and API key, then exit.</source>
        <translation>删除已保存的 Factory 令牌和 API 密钥，然后退出。</translation>
    </message>
    <message>
        <source>Where tokens live: auto (default), keychain or file.</source>
        <translation>令牌保存位置：auto（默认）、keychain 或 file。</translation>
    </message>
    <message>
        <source>droid2api: configuration refused: %1</source>
        <translation>droid2api：配置被拒绝：%1</translation>
    </message>
    <message>
        <source>droid2api</source>
        <translation>droid2api</translation>
    </message>
    <message>
        <source>

The file was not changed. Fix it and start droid2api again.</source>
        <translation>

文件未被修改。请修正后重新启动 droid2api。</translation>
    </message>
    <message>
        <source>droid2api: --token-store must be auto, keychain or file</source>
        <translation>droid2api：--token-store 必须是 auto、keychain 或 file</translation>
    </message>
    <message>
        <source>droid2api: --port must be a number from 0 to 65535</source>
        <translation>droid2api：--port 必须是 0 到 65535 之间的数字</translation>
    </message>
    <message>
        <source>droid2api: no display found, so the proxy runs headless (the tray app needs a desktop session).</source>
        <translation>droid2api：未找到显示器，代理以无界面模式运行（托盘应用需要桌面会话）。</translation>
    </message>
    <message>
        <source>droid2api: %1</source>
        <translation>droid2api：%1</translation>
    </message>
    <message>
        <source>droid2api: second signal, exiting now</source>
        <translation>droid2api：收到第二次信号，立即退出</translation>
    </message>
    <message>
        <source>droid2api: shutting down</source>
        <translation>droid2api：正在关闭</translation>
    </message>
    <message>
        <source>droid2api %1 listening on %2</source>
        <translation>droid2api %1 listening on %2</translation>
    </message>
    <message>
        <source>droid2api: unknown client &apos;%1&apos; (choose one of: %2)</source>
        <translation>droid2api：未知客户端“%1”（可选：%2）</translation>
    </message>
    <message>
        <source>droid2api: %1 needs no change</source>
        <translation>droid2api：%1 无需更改</translation>
    </message>
    <message>
        <source>droid2api: not applied; run again with --yes to apply without asking</source>
        <translation>droid2api：未应用；如需不经询问直接应用，请加上 --yes 重新运行</translation>
    </message>
    <message>
        <source>Apply this change? [y/N] </source>
        <translation>应用此更改？[y/N] </translation>
    </message>
    <message>
        <source>droid2api: nothing changed</source>
        <translation>droid2api：未做任何更改</translation>
    </message>
    <message>
        <source>With connect/disconnect: apply without asking.</source>
        <translation>用于 connect/disconnect：不经询问直接应用。</translation>
    </message>
    <message>
        <source>With connect: the model the client should use.</source>
        <translation>用于 connect：客户端应使用的模型。</translation>
    </message>
    <message>
        <source>droid2api: usage: droid2api connect|disconnect CLIENT [--yes] [--model ID]</source>
        <translation>droid2api：用法：droid2api connect|disconnect CLIENT [--yes] [--model ID]</translation>
    </message>
    <message>
        <source>droid2api: removed the key of backend &apos;%1&apos;</source>
        <translation>droid2api：已删除后端“%1”的密钥</translation>
    </message>
    <message>
        <source>droid2api: stored the key of backend &apos;%1&apos; in %2</source>
        <translation>droid2api：已将后端“%1”的密钥保存到%2</translation>
    </message>
    <message>
        <source>droid2api: cannot store the key: %1</source>
        <translation>droid2api：无法保存密钥：%1</translation>
    </message>
    <message>
        <source>Store the key of backend &lt;name&gt; (read from standard input; empty removes it), then exit.</source>
        <translation>保存后端 &lt;name&gt; 的密钥（从标准输入读取；为空则删除），然后退出。</translation>
    </message>
    <message>
        <source>droid2api: backends[] in the config has no backend named &apos;%1&apos;</source>
        <translation>droid2api：配置的 backends[] 中没有名为“%1”的后端</translation>
    </message>
    <message>
        <source>Import the droid CLI&apos;s sign-in (~/.factory/auth.v2.*, shared with it from then on), then exit.</source>
        <translation>导入 droid CLI 的登录（~/.factory/auth.v2.*，此后与其共享），然后退出。</translation>
    </message>
    <message>
        <source>Desktop app: open the Activity window (of the running app, if there is one).</source>
        <translation>桌面应用：打开活动窗口（若已有实例在运行，则打开该实例的）。</translation>
    </message>
    <message>
        <source>droid2api is already running; showing its Activity window.</source>
        <translation>droid2api 已在运行；正在显示它的活动窗口。</translation>
    </message>
    <message>
        <source>probe: ✓ %1</source>
        <translation>探测：✓ %1</translation>
    </message>
    <message>
        <source>probe: ✗ %1: %2</source>
        <translation>探测：✗ %1：%2</translation>
    </message>
    <message>
        <source>probe: %1 will work through droid2api</source>
        <translation>探测：%1 可以通过 droid2api 正常使用</translation>
    </message>
    <message>
        <source>probe: %1 will not work until this is fixed</source>
        <translation>探测：在解决此问题之前，%1 无法使用</translation>
    </message>
    <message>
        <source>droid2api: no usage recorded yet (%1 does not exist)</source>
        <translation>droid2api：还没有记录用量（%1 不存在）</translation>
    </message>
    <message>
        <source>  (none)</source>
        <translation>  （无）</translation>
    </message>
    <message>
        <source>requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>cached</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>credits</source>
        <translation>积分</translation>
    </message>
    <message numerus="yes">
        <source>Usage over the last %n day(s), since %1 (tokens; credits are Factory credits: tokens x the model&apos;s multiplier)</source>
        <translation>
            <numerusform>最近 %n 天的用量，自 %1 起（token 即词元；积分为 Factory 积分：token 数 × 模型倍率）</numerusform>
        </translation>
    </message>
    <message>
        <source>By model:</source>
        <translation>按模型：</translation>
    </message>
    <message>
        <source>By coding tool:</source>
        <translation>按编程工具：</translation>
    </message>
    <message>
        <source>By day:</source>
        <translation>按天：</translation>
    </message>
    <message>
        <source>With usage: how many days back (default 30).</source>
        <translation>用于 usage：往前统计多少天（默认 30）。</translation>
    </message>
    <message>
        <source>With usage: print JSON, as GET /usage answers.</source>
        <translation>用于 usage：输出 JSON，与 GET /usage 的回答相同。</translation>
    </message>
    <message>
        <source>Optional: connect CLIENT or disconnect CLIENT, where CLIENT is claude-code, codex, cursor, continue or openai-sdk; or usage [--days N] [--json]: tokens and credits per model and coding tool.</source>
        <translation>可选：connect CLIENT 或 disconnect CLIENT，CLIENT 为 claude-code、codex、cursor、continue 或 openai-sdk；或 usage [--days N] [--json]：按模型和编程工具统计 token（词元）与积分。</translation>
    </message>
    <message>
        <source>droid2api: --days must be a number of days from 1 to 3650</source>
        <translation>droid2api：--days 必须是 1 到 3650 之间的天数</translation>
    </message>
    <message>
        <source>droid2api is already running; showing its window.</source>
        <translation>droid2api 已在运行；正在显示它的窗口。</translation>
    </message>
</context>
</TS>
