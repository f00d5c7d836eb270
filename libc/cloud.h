/*
 * cloud.h - a cloud instance configures its program from the instance
 * metadata and joins its job's head (docs/cloud.md).
 *
 * With the kernel option cloud=auto|gce|ec2|openstack (and ip=dhcp), the
 * C library asks the metadata service at 169.254.169.254, before main,
 * for these keys (GCE: instance attributes; EC2: `key=value` lines of the
 * user data, read with an IMDSv2 token; OpenStack: the "meta" object of
 * meta_data.json, else user_data lines):
 *
 *   hermit-args    the program's arguments (kernel command-line quoting)
 *   hermit-env     NAME=VALUE words, the same quoting
 *   hermit-head    ADDR:PORT of the job's head (cluster/hermit-head)
 *   hermit-rank    this instance's rank, 0..size-1
 *   hermit-size    the number of instances in the job
 *   hermit-secret  the job's secret, which the head checks
 *
 * The four job keys come together or not at all; without them the program
 * runs alone and its output stays on the serial console. With them the
 * instance opens two connections to the head, each starting with
 *   cmd=hermit-join kind=console|pmi rank=R secret=S
 * answered by `cmd=hermit-join-ok size=N` or `cmd=hermit-join-error
 * msg=WHY` (then closed). The console link then carries what the program
 * writes to stdout/stderr as `cmd=hermit-output len=N` + N bytes, and at
 * the end `cmd=hermit-exit status=S`, acknowledged by
 * `cmd=hermit-exit-ack`. The PMI link is handed to MPICH as PMI_FD (with
 * PMI_RANK, PMI_SIZE and MPICH_INTERFACE_HOSTNAME = this instance's
 * address), so ranks find each other through the head's PMI service.
 *
 * Every wait is bounded. A failure prints one "hermit-cloud:" line on the
 * serial console and ends the instance with one of these statuses:
 */
#ifndef LIBC_CLOUD_H
#define LIBC_CLOUD_H

#include <stddef.h>

enum cloud_exit_code {
    CLOUD_EXIT_NO_NETWORK = 90,     /* no NIC, no ip=, or no DHCP answer */
    CLOUD_EXIT_NO_METADATA = 91,    /* no metadata service answered in time */
    CLOUD_EXIT_BAD_METADATA = 92,   /* a key missing, malformed or too long */
    CLOUD_EXIT_NO_HEAD = 93,        /* the head could not be reached in time */
    CLOUD_EXIT_REFUSED = 94,        /* the head refused this instance (secret, rank) */
};

/* Called by app_start after the network is up; MAY replace argv and set
 * variables. Returns only when the program should run. */
void libc_cloud_init(int *argc, char ***argv);

/* The console's tee: what the program writes goes to the head too (a
 * no-op without a job). MUST be called from thread context. */
void libc_cloud_output(const void *buf, size_t len);

/* Reports the program's exit status to the head and waits (bounded) for
 * its acknowledgement; a no-op without a job. */
void libc_cloud_exit(int status);

/* --- the metadata client (libc/metadata.c) ------------------------------ */

enum cloud_flavour { CLOUD_GCE, CLOUD_EC2, CLOUD_OPENSTACK };

struct metadata;

/* Finds the metadata service (one flavour, or "auto" tries all three) and
 * reads what later gets need. NULL on failure, with the reason in why
 * and *exit_code set to CLOUD_EXIT_NO_METADATA or CLOUD_EXIT_BAD_METADATA. */
struct metadata *metadata_open(const char *flavour, char *why, size_t cap, int *exit_code);
enum cloud_flavour metadata_flavour(const struct metadata *md);
const char *metadata_flavour_name(enum cloud_flavour flavour);

/* A key's value: MD_OK, MD_ENOTFOUND, MD_ETOOLONG, or another
 * metadata_parse error (a transport failure is MD_EMALFORMED, with why). */
int metadata_get(struct metadata *md, const char *key, char *out, size_t cap,
                 char *why, size_t why_cap);

/* A TCP connection to *sa within timeout_ms, left non-blocking: the
 * descriptor, or -1 with why set. (Shared by the metadata client and the
 * head link.) */
struct sockaddr_in;
int cloud_connect(const struct sockaddr_in *sa, int timeout_ms, char *why, size_t cap);

#endif
