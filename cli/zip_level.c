/*
 * The workbook's compression level.
 *
 * libxlsxwriter (1.1.4) deflates every part of the .xlsx package at zlib's
 * default level 6 and has no setting for it. A year's detail sheets are
 * tens of megabytes of XML, and at level 6 their deflate was half of the
 * workbook's time (0.68 of 1.3 CPU seconds on the Salesforce export at
 * scale 1); at level 1 it is a third of that, for a file about a quarter
 * larger (9.9 MB instead of 7.9 MB there). The workbook is not what the
 * email carries, so leadpack takes the speed.
 *
 * libxlsxwriter opens each part through minizip's zipOpenNewFileInZip4_64,
 * a call between shared libraries. The leadpack executable defines that
 * function, so the dynamic linker binds libxlsxwriter's call here; this
 * passes it on to minizip's own (the next definition in the search order)
 * with level 1. Where the lookup fails, the call fails as minizip would
 * with a bad argument, and the workbook is not written (never half-written:
 * the run writes into a staging folder). Built into the executable only, so
 * the libraries and their tests keep libxlsxwriter as it is.
 */
#include <dlfcn.h>
#include <stddef.h>

#define WORKBOOK_DEFLATE_LEVEL 1
#define ZIP_PARAMERROR (-102) /* minizip's zip.h */

/* minizip's types (zip.h), which only its -dev package installs */
typedef void *zipFile;
typedef unsigned int uInt;
typedef unsigned long uLong;
typedef struct zip_fileinfo zip_fileinfo;

typedef int (*open_fn)(zipFile, const char *, const zip_fileinfo *, const void *, uInt,
                       const void *, uInt, const char *, int, int, int, int, int, int,
                       const char *, uLong, uLong, uLong, int);

int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                            const void *extrafield_local, uInt size_extrafield_local,
                            const void *extrafield_global, uInt size_extrafield_global,
                            const char *comment, int method, int level, int raw,
                            int windowBits, int memLevel, int strategy, const char *password,
                            uLong crcForCrypting, uLong versionMadeBy, uLong flagBase,
                            int zip64)
{
    /* The libraries are loaded before main runs and never unloaded, so the
     * address found is the same on every call and from every thread. */
    open_fn next = (open_fn)dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
    if (!next) return ZIP_PARAMERROR;
    if (level != 0) level = WORKBOOK_DEFLATE_LEVEL; /* 0 is stored, kept as asked */
    return next(file, filename, zipfi, extrafield_local, size_extrafield_local,
                extrafield_global, size_extrafield_global, comment, method, level, raw,
                windowBits, memLevel, strategy, password, crcForCrypting, versionMadeBy,
                flagBase, zip64);
}
