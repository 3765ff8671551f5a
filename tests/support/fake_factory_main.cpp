// fake_factory: the tests' fake upstream as a process, for the end-to-end tests with the npm SDKs.
#include "fakeupstream.h"

#include <QtCore/qcoreapplication.h>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    FakeUpstream fake;
    if (!fake.listen(0)) {
        std::fprintf(stderr, "fake_factory: cannot listen\n");
        return 1;
    }
    std::printf("fake_factory listening on http://127.0.0.1:%u\n", unsigned(fake.port()));
    std::fflush(stdout);
    return app.exec();
}
