<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountPage</name>
    <message>
        <source>Sign in with Factory...</source>
        <translation>使用 Factory 登录...</translation>
    </message>
    <message>
        <source>Or paste a credential (kept in the OS keychain, never shown again)</source>
        <translation>或粘贴凭据（保存在系统钥匙串中，之后不再显示）</translation>
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
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Cancel sign-in</source>
        <translation>取消登录</translation>
    </message>
    <message>
        <source>Your code: &lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Approve it at &lt;a href="%2"&gt;%3&lt;/a&gt; (opened in your browser). Waiting...</source>
        <translation>你的验证码：&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;请在 &lt;a href="%2"&gt;%3&lt;/a&gt; 批准（已在浏览器中打开）。正在等待...</translation>
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
        <source>Signed in%1. Token state: %2; access token valid until %3.</source>
        <translation>已登录%1。令牌状态：%2；访问令牌有效期至 %3。</translation>
    </message>
    <message>
        <source> as %1</source>
        <translation>（%1）</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Using the FACTORY_API_KEY environment variable.</source>
        <translation>正在使用 FACTORY_API_KEY 环境变量。</translation>
    </message>
    <message>
        <source>Using a stored Factory API key.</source>
        <translation>正在使用已保存的 Factory API 密钥。</translation>
    </message>
    <message>
        <source>Not signed in: requests use the client's own key.</source>
        <translation>未登录：请求将使用客户端自己的密钥。</translation>
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
        <source>Sign-in required: %1</source>
        <translation>需要登录：%1</translation>
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
        <source>Sign in in the browser, like the droid CLI</source>
        <translation>像 droid CLI 一样在浏览器中登录</translation>
    </message>
</context>
<context>
    <name>ActivityWindow</name>
    <message>
        <source>droid2api Activity</source>
        <translation>droid2api 活动</translation>
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
        <translation>输入</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Streamed</source>
        <translation>流式</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>调试及以上</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>信息及以上</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
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
</context>
<context>
    <name>AppController</name>
    <message>
        <source>Factory sign-in required</source>
        <translation>需要登录 Factory</translation>
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
        <source>Ready-to-copy settings for your tools, filled with this proxy's address and key:</source>
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
        <source>Probe: droid2api is not running; start it before using %1.</source>
        <translation>探测：droid2api 未运行；使用 %1 前请先启动它。</translation>
    </message>
    <message>
        <source>Probe: asking droid2api at %1...</source>
        <translation>探测：正在询问 %1 上的 droid2api...</translation>
    </message>
    <message>
        <source>Probe: OK, %1 will reach droid2api.</source>
        <translation>探测：成功，%1 可以连接到 droid2api。</translation>
    </message>
    <message>
        <source>Probe: droid2api answered HTTP %1; check the access key.</source>
        <translation>探测：droid2api 返回 HTTP %1；请检查访问密钥。</translation>
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
        <source>'%1' is not a valid http(s) URL.</source>
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
        <source>The port must be a number from 1 to 65535 (0 picks a free one at each start).</source>
        <translation>端口必须是 1 到 65535 之间的数字（0 表示每次启动时自动选择空闲端口）。</translation>
    </message>
    <message>
        <source>The address must be an IP address such as 127.0.0.1, or localhost.</source>
        <translation>地址必须是 IP 地址（如 127.0.0.1）或 localhost。</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>Model id</source>
        <translation>模型 ID</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>显示名称</translation>
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
        <source>Provider</source>
        <translation>提供方</translation>
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
        <source>Row %1: the model id '%2' is used twice.</source>
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
    <name>SettingsDialog</name>
    <message>
        <source>droid2api Settings</source>
        <translation>droid2api 设置</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
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
        <source>Settings...</source>
        <translation>设置...</translation>
    </message>
    <message>
        <source>Activity...</source>
        <translation>活动...</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Factory sign-in required. Open Settings &gt; Account to sign in.</source>
        <translation>需要登录 Factory。请打开 设置 &gt; 账户 登录。</translation>
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
        <source>Running; Factory sign-in required</source>
        <translation>运行中；需要登录 Factory</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>droid2api - %1</source>
        <translation>droid2api - %1</translation>
    </message>
    <message>
        <source>Stop proxy</source>
        <translation>停止代理</translation>
    </message>
    <message>
        <source>Start proxy</source>
        <translation>启动代理</translation>
    </message>
    <message>
        <source>Copy %1</source>
        <translation>复制 %1</translation>
    </message>
    <message>
        <source>Sign in...</source>
        <translation>登录...</translation>
    </message>
    <message>
        <source>Account: %1</source>
        <translation>账户：%1</translation>
    </message>
    <message>
        <source>(circuit open: %1)</source>
        <translation>（熔断已打开：%1）</translation>
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
        <source>Import the droid CLI's sign-in (~/.factory/auth.json), then exit.</source>
        <translation>导入 droid CLI 的登录信息（~/.factory/auth.json），然后退出。</translation>
    </message>
    <message>
        <source>Where tokens live: auto (default), keychain or file.</source>
        <translation>令牌保存位置：auto（默认）、keychain 或 file。</translation>
    </message>
    <message>
        <source>droid2api is already running; showing its settings window.</source>
        <translation>droid2api 已在运行；正在显示其设置窗口。</translation>
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
        <source>droid2api: unknown client '%1' (choose one of: %2)</source>
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
        <source>probe: OK, droid2api at %1 answered with %2 models</source>
        <translation>探测：成功，%1 上的 droid2api 返回了 %2 个模型</translation>
    </message>
    <message>
        <source>probe: droid2api at %1 answered HTTP %2; check the access key</source>
        <translation>探测：%1 上的 droid2api 返回 HTTP %2；请检查访问密钥</translation>
    </message>
    <message>
        <source>probe: droid2api is not running at %1; start it (droid2api or make run), then use your client</source>
        <translation>探测：droid2api 未在 %1 运行；请先启动它（droid2api 或 make run），再使用你的客户端</translation>
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
        <source>Optional: connect CLIENT or disconnect CLIENT, where CLIENT is claude-code, codex, cursor, continue or openai-sdk.</source>
        <translation>可选：connect CLIENT 或 disconnect CLIENT，其中 CLIENT 为 claude-code、codex、cursor、continue 或 openai-sdk。</translation>
    </message>
    <message>
        <source>droid2api: usage: droid2api connect|disconnect CLIENT [--yes] [--model ID]</source>
        <translation>droid2api：用法：droid2api connect|disconnect CLIENT [--yes] [--model ID]</translation>
    </message>
    <message>
        <source>droid2api: removed the key of backend '%1'</source>
        <translation>droid2api：已删除后端“%1”的密钥</translation>
    </message>
    <message>
        <source>droid2api: stored the key of backend '%1' in %2</source>
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
        <source>droid2api: backends[] in the config has no backend named '%1'</source>
        <translation>droid2api：配置的 backends[] 中没有名为“%1”的后端</translation>
    </message>
</context>
</TS>