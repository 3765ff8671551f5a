#pragma once

#include <QtWidgets/qmessagebox.h>

#include <functional>

class AppController;

/// Message boxes whose icons stay crisp at any scale: the Fusion style ships its message-box icons as 32 px
/// bitmaps, which Qt stretches (blurred) on a 2x screen. Where the style has no bitmap large enough, the box gets
/// droid2api's own SVG icon, rendered at the screen's device pixel ratio.
namespace dialogs {

/// droid2api's own scalable icon for a message-box kind (null for NoIcon).
QIcon icon(QMessageBox::Icon kind);

/// Gives `box` a sharp icon of the kind it was made with (call after setting the kind, before showing it).
void makeCrisp(QMessageBox &box);

/// Shows `box` (made on the heap) application-modal, as exec() would, but without a nested event loop: the GUI
/// thread serves the proxy's requests, which must not wait for the user's answer. The box is deleted once
/// answered; its finished() signal carries the answer.
void openModal(QMessageBox *box);

/// QMessageBox::question/warning/critical with a crisp icon, without blocking: returns at once with the box
/// shown, and `then` gets the button clicked (not called when the box goes with its parent unanswered).
QMessageBox *ask(QWidget *parent, QMessageBox::Icon kind, const QString &title, const QString &text,
                 QMessageBox::StandardButtons buttons = QMessageBox::Ok,
                 QMessageBox::StandardButton defaultButton = QMessageBox::NoButton,
                 std::function<void(QMessageBox::StandardButton)> then = {});

/// Before a window is first shown: shrinks it to the available geometry of the screen it opens on (the one
/// under the mouse), leaving room for the title bar and borders, and centres it there, so no window opens
/// partly off-screen (a panel or dock is never covered). Later shows keep where the user put it.
void placeOnScreen(QWidget *window);

/// After the address, port or key changed (Settings' Apply, "Use a free port" in the tray or the status window):
/// the coding tools still set up for the old one would fail, so ask the one question "Update your coding
/// tools?" and update those the user agrees to (a backup of each file is kept). `askOverride` answers instead of
/// the dialog (tests). Without blocking: `done` gets the errors of the updates, one a line ("" when none, nothing
/// stale, or declined), at once when there is nothing to ask or `askOverride` answers, else once the user did.
void offerToolUpdates(QWidget *parent, AppController *controller,
                      const std::function<bool(const QStringList &names)> &askOverride,
                      std::function<void(const QString &errors)> done);

} // namespace dialogs
