#pragma once
// The settings window: pages on the left, inline validation at the bottom; Apply is enabled only when
// something changed and every page is valid. Closing it never stops the proxy.

#include "accountpage.h"
#include "clientspage.h"
#include "endpointspage.h"
#include "generalpage.h"
#include "modelspage.h"
#include "reasoningpage.h"
#include "routingpage.h"

#include <QtCore/qpointer.h>
#include <QtWidgets/qdialog.h>
#include <QtWidgets/qmessagebox.h>

#include <functional>

QT_BEGIN_NAMESPACE
class QDialogButtonBox;
class QListWidget;
class QStackedWidget;
QT_END_NAMESPACE

class AppController;

class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    explicit SettingsDialog(AppController *controller, QWidget *parent = nullptr);

    QList<SettingsPage *> pages() const { return m_pages; }
    template<typename T> T *page() const
    {
        for (SettingsPage *p : m_pages)
            if (auto *t = qobject_cast<T *>(p))
                return t;
        return nullptr;
    }
    void showPage(int index);
    /// Applies every page; returns the error shown, or "". When the address, port or key moved, it then asks
    /// "Update your coding tools?" without waiting for the answer; `done` runs after a successful apply, once
    /// that question (if any) is answered.
    QString apply(std::function<void()> done = {});
    bool canApply() const;
    bool isDirty() const { return m_dirty; }
    QString validationMessage() const;
    /// Close, Esc and the title bar's button all end here: with unsaved changes it asks Apply / Discard /
    /// Cancel without blocking, returns false and hides the window itself once the answer allows (Discard, or
    /// Apply when it worked). Returns true when the window may close at once (nothing to ask). `askOverride`
    /// answers at once instead of the box in tests (a QMessageBox::StandardButton value).
    bool confirmClose();
    std::function<int()> askOverride;
    /// The buttons the last "Unsaved changes" question offered (tests: no Apply while a page is invalid).
    QMessageBox::StandardButtons closeButtonsOffered() const { return m_offered; }
    /// After a port, address or key change, whether to update the tools still set up for the old one (tests answer).
    std::function<bool(const QStringList &names)> askUpdateTools;

protected:
    void closeEvent(QCloseEvent *event) override;
    void reject() override;

private:
    void revalidate();
    void reload();
    void offerToolUpdates(std::function<void()> done);

    AppController *m_controller;
    QList<SettingsPage *> m_pages;
    QListWidget *m_nav;
    QStackedWidget *m_stack;
    QLabel *m_message;
    QDialogButtonBox *m_buttons;
    bool m_dirty = false;
    QMessageBox::StandardButtons m_offered;
    QPointer<QMessageBox> m_closeQuestion;
    bool m_loading = false;
    d2a::Config m_base; ///< the config the pages were loaded from: Apply writes only what differs from it
};
