#ifndef MDE_SHIPPER_CCRYPTO_SHIM_H
#define MDE_SHIPPER_CCRYPTO_SHIM_H

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#endif
