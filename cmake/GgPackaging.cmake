# Install rules and the Debian package (CPack DEB) for the whole project.
#
# Programs, libggclient (shared library, headers, ggclient.pc), the systemd
# units with their sysusers.d/tmpfiles.d entries, manual pages, shell
# completion, and the docs. Targets of
# other folders are installed from here (allowed since CMake 3.13); a missing
# one is a configure error. gg-devserver is test-only and never installed.
include(GNUInstallDirs)

# `cpack` and `cmake --install` use what is built and never start a build of
# everything (the package test runs cpack after the suite's build).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(GG_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd units go, relative to the install prefix")

install(TARGETS gg-agent ggctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        COMPONENT agent)

# libggclient: the shared library of ipc/client/, its headers and ggclient.pc.
install(TARGETS ggclient
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT agent
        NAMELINK_COMPONENT agent
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agent
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT agent)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/ipc/client/include/gg
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT agent
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
# The prefix is found from the .pc file's own place, so one file serves
# `cmake --install --prefix anywhere`, the .deb and a dpkg -x tree.
set(GG_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH GG_PC_TO_PREFIX /p/${GG_PC_DIR} /p)
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/ggclient.pc CONTENT
"prefix=\${pcfiledir}/${GG_PC_TO_PREFIX}
libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}
includedir=\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}

Name: ggclient
Description: GeckoGuard Agent client library (C ABI, C++ wrapper)
Version: ${PROJECT_VERSION}
Libs: -L\${libdir} -l$<TARGET_FILE_BASE_NAME:ggclient>
Cflags: -I\${includedir}
")
install(FILES ${PROJECT_BINARY_DIR}/ggclient.pc DESTINATION ${GG_PC_DIR}
        COMPONENT agent)

set(GG_SYSTEMD_SRC ${PROJECT_SOURCE_DIR}/service/systemd)
if(GG_OS STREQUAL "linux")
  install(FILES ${GG_SYSTEMD_SRC}/gg-agent.service
                ${GG_SYSTEMD_SRC}/gg-agent.socket
          DESTINATION ${GG_SYSTEMD_UNIT_DIR} COMPONENT agent)
  install(FILES ${GG_SYSTEMD_SRC}/gg-agent.sysusers
          DESTINATION lib/sysusers.d RENAME gg-agent.conf COMPONENT agent)
  install(FILES ${GG_SYSTEMD_SRC}/gg-agent.tmpfiles
          DESTINATION lib/tmpfiles.d RENAME gg-agent.conf COMPONENT agent)
endif()
set(GG_DOC_DIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/gg-agent)
foreach(doc service/systemd/config.example.json docs/operations.md README.md)
  install(FILES ${PROJECT_SOURCE_DIR}/${doc} DESTINATION ${GG_DOC_DIR}
          COMPONENT agent)
endforeach()

if(GG_OS STREQUAL "linux")
  # Manual pages from their scdoc sources (docs/man/*.scd), gzipped as
  # Debian wants them; built with everything so `man -l` can be tested.
  find_program(GG_SCDOC scdoc REQUIRED)
  find_program(GG_GZIP gzip REQUIRED)
  set(GG_MAN_PAGES gg-agent.8 ggctl.1 gg-agent.json.5)
  set(GG_MAN_DIR ${PROJECT_BINARY_DIR}/man)
  set(GG_MAN_OUTPUTS "")
  foreach(page ${GG_MAN_PAGES})
    set(src ${PROJECT_SOURCE_DIR}/docs/man/${page}.scd)
    add_custom_command(
      OUTPUT ${GG_MAN_DIR}/${page}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${GG_MAN_DIR}
      COMMAND sh -c "'${GG_SCDOC}' < '${src}' > '${GG_MAN_DIR}/${page}'"
      COMMAND ${GG_GZIP} -9nf ${GG_MAN_DIR}/${page}
      DEPENDS ${src}
      COMMENT "scdoc ${page}"
      VERBATIM)
    list(APPEND GG_MAN_OUTPUTS ${GG_MAN_DIR}/${page}.gz)
    string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
    install(FILES ${GG_MAN_DIR}/${page}.gz
            DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT agent)
  endforeach()

  # Debian's changelog (native package) and copyright, gzipped like dh does.
  configure_file(${PROJECT_SOURCE_DIR}/cmake/debian/changelog.in
                 ${PROJECT_BINARY_DIR}/debian/changelog @ONLY)
  add_custom_command(
    OUTPUT ${PROJECT_BINARY_DIR}/debian/changelog.gz
    COMMAND ${GG_GZIP} -9nkf ${PROJECT_BINARY_DIR}/debian/changelog
    DEPENDS ${PROJECT_BINARY_DIR}/debian/changelog
    VERBATIM)
  add_custom_target(gg_docs ALL DEPENDS ${GG_MAN_OUTPUTS}
                                        ${PROJECT_BINARY_DIR}/debian/changelog.gz)
  install(FILES ${PROJECT_BINARY_DIR}/debian/changelog.gz
                ${PROJECT_SOURCE_DIR}/cmake/debian/copyright
          DESTINATION ${GG_DOC_DIR} COMPONENT agent)
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/lintian-overrides
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides
          RENAME gg-agent COMPONENT agent)

  # Shell completion: bash-completion's on-demand directory and Debian's
  # zsh vendor directory.
  set(GG_COMPLETION_SRC ${PROJECT_SOURCE_DIR}/service/completion)
  foreach(program ggctl gg-agent)
    install(FILES ${GG_COMPLETION_SRC}/${program}.bash
            DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions
            RENAME ${program} COMPONENT agent)
    install(FILES ${GG_COMPLETION_SRC}/_${program}
            DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/zsh/vendor-completions
            COMPONENT agent)
  endforeach()
endif()

# ---- CPack: one .deb, gg-agent -------------------------------------------
set(CPACK_PACKAGE_NAME gg-agent)
set(CPACK_PACKAGE_VENDOR "GeckoGuard")
set(CPACK_PACKAGE_CONTACT "GeckoGuard <support@geckoguard.com>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "GeckoGuard license agent: signed verdicts, offline grace, local socket")
set(CPACK_PACKAGE_DESCRIPTION
    "The client-side license agent (gg-agent), its command-line client (ggctl)
and the client library protected apps link (libggclient).")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Debian ships stripped binaries (lintian: unstripped-binary-or-object).
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME gg-agent)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
# dpkg-shlibdeps finds the real library packages (libssl3, libcurl4,
# libsqlite3-0, libfmt9, ...) from the binaries, so the list cannot go stale.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# ggctl links our own libggclient, which is in this package, not in dpkg's
# database: tell dpkg-shlibdeps where it is.
get_target_property(GG_CLIENT_DIR ggclient LIBRARY_OUTPUT_DIRECTORY)
if(NOT GG_CLIENT_DIR)
  get_target_property(GG_CLIENT_DIR ggclient BINARY_DIR)
endif()
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${GG_CLIENT_DIR})
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# deb-systemd-helper and deb-systemd-invoke in the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers (>= 1.18~)")
# The scripts: create the user, enable the socket the way dh_installsystemd
# does; and the reverse. Each works without a running systemd (chroot,
# container). `triggers` runs ldconfig for libggclient.
set(GG_DEB_SCRIPTS "")
foreach(script postinst prerm postrm triggers)
  list(APPEND GG_DEB_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/debian/${script})
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${GG_DEB_SCRIPTS}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
