#pragma once

/// @file
/// Export macro: `QUICKSTOCK_API` marks what a shared build of the library exports.

#if defined(QUICKSTOCK_SHARED)
#if defined(_WIN32)
#if defined(QUICKSTOCK_EXPORTS)
#define QUICKSTOCK_API __declspec(dllexport)
#else
#define QUICKSTOCK_API __declspec(dllimport)
#endif
#else
#define QUICKSTOCK_API __attribute__((visibility("default")))
#endif
#else
#define QUICKSTOCK_API
#endif
