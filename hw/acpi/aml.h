/*
 * aml.h - a small AML encoder (ACPI 6.4 chapter 20) for the DSDTs: bytes go
 * into an acpi_blob, and the ops that carry a PkgLength (Scope, Device,
 * Method, If, Package, Buffer, Field) are opened and closed like brackets,
 * the length being inserted at the close in its shortest encoding.
 * Errors (out of memory, brackets nested too deep or unbalanced) stick and
 * are returned by aml_end().
 */
#ifndef HW_ACPI_AML_H
#define HW_ACPI_AML_H

#include <stdint.h>

#include "hw/acpi/acpi.h"

#define AML_MAX_DEPTH 8

/* Opcodes (20.3). */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_STRING_PREFIX 0x0d
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_PACKAGE 0x12
#define AML_METHOD 0x14
#define AML_LOCAL0 0x60
#define AML_ARG0 0x68
#define AML_STORE 0x70
#define AML_AND 0x7b
#define AML_OR 0x7d
#define AML_CREATE_DWORD_FIELD 0x8a
#define AML_LLESS 0x95
#define AML_IF 0xa0
#define AML_RETURN 0xa4
#define AML_EXT 0x5b /* followed by one of: */
#define AML_EXT_OPREGION 0x80
#define AML_EXT_FIELD 0x81
#define AML_EXT_DEVICE 0x82

struct aml {
    struct acpi_blob *b;
    uint32_t open[AML_MAX_DEPTH]; /* where each open bracket's PkgLength goes */
    int depth;
    int err;
};

void aml_begin(struct aml *a, struct acpi_blob *b);
/* 0, or the first error: -ENOMEM, -EINVAL (brackets left open or closed too often). */
int aml_end(struct aml *a);

void aml_bytes(struct aml *a, const void *p, uint32_t n);
void aml_byte(struct aml *a, uint8_t v);
/* A NameString: "\\_SB_.PCI0", "PCI0.ISA_.P40C", "PRQ0"; segments are four characters. */
void aml_name(struct aml *a, const char *path);
/* An integer as Zero, One or the shortest Byte/Word/DWord/QWord constant. */
void aml_int(struct aml *a, uint64_t v);
/* EisaId ("PNP0A03"): the compressed DWord. */
void aml_eisaid(struct aml *a, const char *id);
/* A String constant ("LNRO0005"), NUL included. */
void aml_string(struct aml *a, const char *s);

/* op (one byte, or AML_EXT then ext) and a PkgLength to come at aml_close(). */
void aml_open(struct aml *a, uint8_t op);
void aml_open_ext(struct aml *a, uint8_t ext);
void aml_close(struct aml *a);

/* Shorthands: each opens a bracket (except aml_name_decl) that the caller closes. */
void aml_name_decl(struct aml *a, const char *name); /* Name (name, <next object>) */
void aml_scope(struct aml *a, const char *name);
void aml_device(struct aml *a, const char *name);
void aml_method(struct aml *a, const char *name, int nargs, int serialized);
/* Buffer (n) { bytes }: complete, nothing to close. */
void aml_buffer(struct aml *a, const void *p, uint32_t n);

/* acpi-dsdt.c: the DSDT's body (after the header) appended to t. 0 or -ENOMEM. */
int acpi_build_dsdt_aml(struct acpi_blob *t, const struct acpi_pc_config *c);

#endif
