#!/usr/bin/env bash
# Signs droid2api.app inside a DMG with a Developer ID, then notarizes and staples it.
# Needs: MACOS_CERTIFICATE_P12 (base64), MACOS_CERTIFICATE_PASSWORD, MACOS_SIGNING_IDENTITY
# ("Developer ID Application: NAME (TEAMID)"), APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD (app-specific).
set -euo pipefail
dmg=$1
keychain=build.keychain
echo "$MACOS_CERTIFICATE_P12" | base64 --decode > cert.p12
security create-keychain -p ci "$keychain"
security default-keychain -s "$keychain"
security unlock-keychain -p ci "$keychain"
security import cert.p12 -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple: -s -k ci "$keychain"
mnt=$(mktemp -d)
hdiutil attach "$dmg" -mountpoint "$mnt" -nobrowse
cp -R "$mnt/droid2api.app" ./droid2api.app
hdiutil detach "$mnt"
codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGNING_IDENTITY" droid2api.app
rm "$dmg"
hdiutil create -volname droid2api -srcfolder droid2api.app -ov -format UDZO "$dmg"
codesign --sign "$MACOS_SIGNING_IDENTITY" --timestamp "$dmg"
xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD" --wait
xcrun stapler staple "$dmg"
