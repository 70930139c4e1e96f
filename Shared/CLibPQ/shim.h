#ifndef BIZOPS_CLIBPQ_SHIM_H
#define BIZOPS_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#endif
