#pragma once
// The settings window: pages on the left, inline validation at the bottom; Apply is enabled only when
// something changed and every page is valid. Closing it never stops the proxy.

#include "settingspages.h"

#include <QtWidgets/qdialog.h>

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
    template<typename T>
    T *page() const
    {
        for (SettingsPage *p : m_pages)
            if (auto *t = qobject_cast<T *>(p))
                return t;
        return nullptr;
    }
    void showPage(int index);
    /// Applies every page; returns the error shown, or "".
    QString apply();
    bool canApply() const;
    QString validationMessage() const;

private:
    void revalidate();
    void reload();

    AppController *m_controller;
    QList<SettingsPage *> m_pages;
    QListWidget *m_nav;
    QStackedWidget *m_stack;
    QLabel *m_message;
    QDialogButtonBox *m_buttons;
    bool m_dirty = false;
    bool m_loading = false;
};
