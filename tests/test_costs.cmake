# Read by ctest (each test directory's CTestTestfile includes it after the
# Catch2 suites' discovered tests): the tests that run longest get a COST, so
# that `ctest -j` starts them first instead of leaving one of them running
# alone at the end of the run. Without it a clean checkout (no
# Testing/Temporary/CTestCostData.txt yet, as in CI) runs tests in the order
# they are defined, and the longest ones are defined last. The costs are
# rough seconds from CI logs (the larger of the Release and sanitizer runs);
# a renamed test simply loses its cost.
set(_quiver_test_costs
  "90|tools:An ingest killed with SIGKILL at random moments leaves the table unchanged or fully ingested"
  "80|durability:Processes together: writer, four C-API readers and quiverd agree on every snapshot"
  "40|store:An append with an idempotency key is applied once, and the key survives reopening"
  "35|pmem:Every power-loss image of every persist point opens to a durable state"
  "30|kernels:Group-by on many groups matches a std::map reference, in first-row order"
  "28|store:Every power-loss image of table operations opens to a committed durable state"
  "25|store:Queries agree with SQLite on a 1M-row table of every type"
  "17|kernels:Decimal group keys and exact decimal aggregates survive split tables and the merge"
  "13|pmem:A new pool is sparse, starts at txn 1 and reports its engine"
  "12|http:The web console in headless Chromium: browse, query, page, chart, plan, error, cancel")
get_cmake_property(_quiver_vars VARIABLES)
set(_quiver_defined)
foreach(_var IN LISTS _quiver_vars)
  if(_var MATCHES "_tests_TESTS$")
    list(APPEND _quiver_defined ${${_var}})
  endif()
endforeach()
foreach(_entry IN LISTS _quiver_test_costs)
  string(FIND "${_entry}" "|" _bar)
  string(SUBSTRING "${_entry}" 0 ${_bar} _cost)
  math(EXPR _from "${_bar} + 1")
  string(SUBSTRING "${_entry}" ${_from} -1 _name)
  list(FIND _quiver_defined "${_name}" _at)
  if(NOT _at EQUAL -1)
    set_tests_properties("${_name}" PROPERTIES COST ${_cost})
  endif()
endforeach()
