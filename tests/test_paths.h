// Paths the tests need, known only when the build is configured. CMake
// writes their definitions into one generated file per target
// (gg_test_paths() in tests/CMakeLists.txt) instead of -D flags: an absolute
// path on every test file's command line would make each clone's objects
// differ and defeat ccache across clones. A target defines only the paths
// it asks for; using another one is a link error.
#ifndef GG_TESTS_TEST_PATHS_H_
#define GG_TESTS_TEST_PATHS_H_

namespace gg::test {

const char* SharedDir();  // ../shared: vectors, seeds
const char* SourceDir();  // this checkout
const char* GgctlPath();  // the ggctl under test
const char* IpcTestServerPath();
const char* PythonPath();  // Python 3, for the Python client's tests
const char* NodePath();    // node, or "" when not installed

}  // namespace gg::test

#endif  // GG_TESTS_TEST_PATHS_H_
