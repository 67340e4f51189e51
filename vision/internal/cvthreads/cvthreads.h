#ifndef COUNTERLENS_CVTHREADS_H
#define COUNTERLENS_CVTHREADS_H

#ifdef __cplusplus
extern "C" {
#endif

void CVThreads_Set(int n);
int CVThreads_Get(void);

#ifdef __cplusplus
}
#endif

#endif
