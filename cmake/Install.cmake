# `cmake --install build/<preset> --prefix DIR` installs the four programs to
# DIR/bin and the C++ client library: its static libraries, their headers under
# DIR/include/blockstack and a CMake package, so that another program says
# find_package(Blockstack) and links blockstack::client (doc/client-library.md).
# `--component client` installs the library alone, `--component programs` the
# programs alone.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS blockstackd blockstack gaia-hub bns-registrar RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        COMPONENT programs)

# The client library and every part it links, each exported as blockstack::NAME.
set(BLOCKSTACK_CLIENT_PARTS client client/ecies bitcoin/rpc bitcoin/rpc/reply bitcoin net crypto util zonefile)
set(client_targets bs_warnings)
foreach(part IN LISTS BLOCKSTACK_CLIENT_PARTS)
  string(REPLACE "/" "_" target "bs_${part}")
  string(REPLACE "/" "_" export_name "${part}")
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
  list(APPEND client_targets ${target})
  if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/src/${part})
    install(DIRECTORY src/${part}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/blockstack/${part}
            COMPONENT client FILES_MATCHING PATTERN "*.h")
  endif()
endforeach()
set_target_properties(bs_warnings PROPERTIES EXPORT_NAME warnings)
install(TARGETS ${client_targets} EXPORT BlockstackTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT client)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/Blockstack)
install(EXPORT BlockstackTargets NAMESPACE blockstack:: DESTINATION ${config_dir} COMPONENT client)
configure_package_config_file(cmake/BlockstackConfig.cmake.in ${PROJECT_BINARY_DIR}/BlockstackConfig.cmake
                              INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/BlockstackConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/BlockstackConfig.cmake ${PROJECT_BINARY_DIR}/BlockstackConfigVersion.cmake
        DESTINATION ${config_dir} COMPONENT client)
