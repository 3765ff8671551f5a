# Installation layout and installers (CPack): a .deb on Linux (depends on the distribution's Qt 6 and
# QtKeychain; droid2api and droid2api-nox), an app bundle in a DMG on macOS, an NSIS installer on Windows.
# `make package` builds the .deb.
include(GNUInstallDirs)

if(APPLE AND TARGET droid2api)
    # --- macOS: droid2api.app, tray only (LSUIElement), deployed with macdeployqt at install time.
    set_target_properties(droid2api PROPERTIES
        MACOSX_BUNDLE TRUE
        MACOSX_BUNDLE_INFO_PLIST ${PROJECT_SOURCE_DIR}/packaging/macos/Info.plist.in
        OUTPUT_NAME droid2api)
    target_sources(droid2api PRIVATE ${PROJECT_SOURCE_DIR}/packaging/macos/droid2api.icns)
    set_source_files_properties(${PROJECT_SOURCE_DIR}/packaging/macos/droid2api.icns PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
    install(TARGETS droid2api BUNDLE DESTINATION .)
elseif(WIN32 AND TARGET droid2api)
    # --- Windows: a GUI-subsystem executable with version resources and icon, deployed with windeployqt.
    configure_file(${PROJECT_SOURCE_DIR}/packaging/windows/droid2api.rc.in ${CMAKE_BINARY_DIR}/droid2api.rc @ONLY)
    target_sources(droid2api PRIVATE ${CMAKE_BINARY_DIR}/droid2api.rc)
    set_target_properties(droid2api PROPERTIES WIN32_EXECUTABLE TRUE)
    install(TARGETS droid2api RUNTIME DESTINATION bin)
else()
    # --- Linux, and any build with -DDROID2API_GUI=OFF: droid2api-nox (and on Linux the systemd user unit); with the
    # desktop app also its binary, menu entry, AppStream metainfo and hicolor icons at every size.
    install(TARGETS droid2api-nox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    if(TARGET droid2api)
        install(TARGETS droid2api RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
        install(FILES ${PROJECT_SOURCE_DIR}/packaging/linux/droid2api.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
        install(FILES ${PROJECT_SOURCE_DIR}/packaging/linux/ai.droid2api.Droid2api.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
        install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/droid2api.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
        foreach(size 16 22 24 32 48 64 128 256 512)
            install(FILES ${PROJECT_SOURCE_DIR}/packaging/linux/icons/${size}/droid2api.png
                    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
        endforeach()
    endif()
    if(NOT APPLE AND NOT WIN32)
        install(FILES ${PROJECT_SOURCE_DIR}/packaging/linux/droid2api.service DESTINATION lib/systemd/user)
    endif()
endif()

if((APPLE OR WIN32) AND TARGET droid2api)
    # macdeployqt / windeployqt copy Qt and its plugins next to the app when it is installed (and packaged).
    qt_generate_deploy_app_script(TARGET droid2api OUTPUT_SCRIPT droid2api_deploy NO_UNSUPPORTED_PLATFORM_ERROR)
    install(SCRIPT ${droid2api_deploy})
endif()

# -DDROID2API_GUI=OFF packages droid2api-nox alone, as its own package (qBittorrent's qbittorrent-nox).
if(TARGET droid2api)
    set(CPACK_PACKAGE_NAME droid2api)
else()
    set(CPACK_PACKAGE_NAME droid2api-nox)
endif()
set(CPACK_PACKAGE_VENDOR droid2api)
set(CPACK_PACKAGE_CONTACT "droid2api developers <dev@droid2api.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Local bridge from OpenAI, Anthropic and Gemini API clients to Factory.ai")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_INSTALL_DIRECTORY droid2api)
set(CPACK_PACKAGE_EXECUTABLES droid2api droid2api) # Start Menu shortcut (NSIS)
set(CPACK_STRIP_FILES TRUE)
if(APPLE)
    set(CPACK_GENERATOR DragNDrop)
    set(CPACK_DMG_VOLUME_NAME droid2api)
elseif(WIN32)
    set(CPACK_GENERATOR NSIS)
    set(CPACK_NSIS_MUI_ICON ${PROJECT_SOURCE_DIR}/packaging/windows/droid2api.ico)
    set(CPACK_NSIS_INSTALLED_ICON_NAME bin/droid2api.exe)
    set(CPACK_NSIS_CREATE_ICONS_EXTRA "CreateShortCut '$SMPROGRAMS\\\\$STARTMENU_FOLDER\\\\droid2api.lnk' '$INSTDIR\\\\bin\\\\droid2api.exe'")
    set(CPACK_NSIS_DELETE_ICONS_EXTRA "Delete '$SMPROGRAMS\\\\$START_MENU\\\\droid2api.lnk'")
    set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
else()
    set(CPACK_GENERATOR DEB)
    set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
    set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
    set(CPACK_DEBIAN_PACKAGE_SECTION utils)
    # Qt, QtKeychain and libsecret from the distribution, found by dpkg-shlibdeps; plus what is loaded as a
    # plugin (SVG icons, the X11/Wayland platform plugins, the SQLite driver of the usage database).
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    if(TARGET droid2api)
        set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6, qt6-qpa-plugins, libsecret-1-0, libqt6sql6-sqlite")
        set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager")
    else()
        # Both install /usr/bin/droid2api-nox and the user unit; droid2api carries droid2api-nox too.
        set(CPACK_DEBIAN_PACKAGE_DEPENDS "libsecret-1-0, libqt6sql6-sqlite")
        set(CPACK_DEBIAN_PACKAGE_CONFLICTS droid2api)
    endif()
    set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/droid2api/droid2api")
endif()
include(CPack)
