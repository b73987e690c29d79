// A fixture for tests/layering: a runtime header including a compiler header,
// which check_layers.cmake must reject.
#pragma once
#include "compiler/baseline/baseline_compiler.h"
