#ifndef MDE_SHIPPER_CCURL_SHIM_H
#define MDE_SHIPPER_CCURL_SHIM_H

#include <curl/curl.h>

#endif
