#include <opencv2/core.hpp>

#include "cvthreads.h"

void CVThreads_Set(int n) { cv::setNumThreads(n); }

int CVThreads_Get(void) { return cv::getNumThreads(); }
