// Renders resources/icons/droid2api.svg into the installers' icon files: the hicolor PNGs for Linux, a .ico
// (PNG entries) for Windows and a .icns (PNG entries) for macOS. Run by packaging/render-icons.sh when the SVG
// changes; the outputs are committed.
#include <QtCore/qbuffer.h>
#include <QtCore/qdir.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qfile.h>
#include <QtCore/qendian.h>
#include <QtGui/qguiapplication.h>
#include <QtGui/qimage.h>
#include <QtGui/qpainter.h>
#include <QtSvg/qsvgrenderer.h>

#include <cstdio>

static QByteArray png(QSvgRenderer &svg, int size)
{
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    svg.render(&p);
    p.end();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

static bool write(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

template<typename T> static void put(QByteArray &out, T value)
{
    out.append(reinterpret_cast<const char *>(&value), sizeof value);
}

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    const QString root = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(".");
    QSvgRenderer svg(root + QStringLiteral("/resources/icons/droid2api.svg"));
    if (!svg.isValid())
        return 1;
    bool ok = true;
    for (int size : { 16, 22, 24, 32, 48, 64, 128, 256, 512 })
        ok = ok && write(QStringLiteral("%1/packaging/linux/icons/%2/droid2api.png").arg(root).arg(size), png(svg, size));
    // ICO: ICONDIR, one ICONDIRENTRY per size, then the PNGs (Windows Vista and later read PNG entries).
    const int icoSizes[] = { 16, 24, 32, 48, 64, 256 };
    QList<QByteArray> images;
    for (int s : icoSizes)
        images << png(svg, s);
    QByteArray ico;
    put<quint16>(ico, qToLittleEndian<quint16>(0));
    put<quint16>(ico, qToLittleEndian<quint16>(1));
    put<quint16>(ico, qToLittleEndian<quint16>(quint16(images.size())));
    quint32 offset = 6 + 16 * quint32(images.size());
    for (int i = 0; i < images.size(); ++i) {
        const int s = icoSizes[i];
        ico.append(char(s >= 256 ? 0 : s)).append(char(s >= 256 ? 0 : s)).append(char(0)).append(char(0));
        put<quint16>(ico, qToLittleEndian<quint16>(1));
        put<quint16>(ico, qToLittleEndian<quint16>(32));
        put<quint32>(ico, qToLittleEndian<quint32>(quint32(images[i].size())));
        put<quint32>(ico, qToLittleEndian<quint32>(offset));
        offset += quint32(images[i].size());
    }
    for (const QByteArray &i : images)
        ico += i;
    ok = ok && write(root + QStringLiteral("/packaging/windows/droid2api.ico"), ico);
    // ICNS: "icns" + total length, then (type, length, PNG) entries, big-endian.
    const struct { const char *type; int size; } icnsTypes[] = { { "icp4", 16 }, { "icp5", 32 }, { "icp6", 64 }, { "ic07", 128 },
                                                                  { "ic08", 256 }, { "ic09", 512 }, { "ic10", 1024 } };
    QByteArray entries;
    for (const auto &t : icnsTypes) {
        const QByteArray data = png(svg, t.size);
        entries.append(t.type, 4);
        put<quint32>(entries, qToBigEndian<quint32>(quint32(8 + data.size())));
        entries += data;
    }
    QByteArray icns("icns");
    put<quint32>(icns, qToBigEndian<quint32>(quint32(8 + entries.size())));
    icns += entries;
    ok = ok && write(root + QStringLiteral("/packaging/macos/droid2api.icns"), icns);
    std::printf("%s\n", ok ? "icons written" : "writing the icons failed");
    return ok ? 0 : 1;
}
