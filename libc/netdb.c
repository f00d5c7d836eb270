/*
 * netdb.c - addresses and names: inet_pton/ntop and friends,
 * getaddrinfo/gethostbyname over numeric addresses, the hosts= kernel
 * option ("node0:10.0.0.1,node1:10.0.0.2"), "localhost", the machine's
 * own hostname=, then DNS through the servers DHCP named (none: the name
 * is not found), and getifaddrs over the network layer's interfaces.
 */
#include "libc_internal.h"
#include "netsock.h"

#include "boot.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int h_errno;

/* --- text conversions ---------------------------------------------------------- */

/* Strict dotted quad (four decimal parts, each 0..255), as inet_pton wants. */
int inet_pton(int af, const char *text, void *out)
{
    unsigned char b[4];

    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        while (isdigit((unsigned char)*text) && digits < 4) {
            v = v * 10 + (unsigned)(*text++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && text[-(int)digits] == '0'))
            return 0;
        b[i] = (unsigned char)v;
        if (i < 3 && *text++ != '.')
            return 0;
    }
    if (*text)
        return 0;
    memcpy(out, b, 4);
    return 1;
}

const char *inet_ntop(int af, const void *in, char *buf, socklen_t len)
{
    const unsigned char *b = in;
    char tmp[INET_ADDRSTRLEN];

    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    int n = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    if ((socklen_t)n >= len) {
        errno = ENOSPC;
        return NULL;
    }
    memcpy(buf, tmp, (size_t)n + 1);
    return buf;
}

int inet_aton(const char *text, struct in_addr *out)
{
    struct in_addr a;

    if (inet_pton(AF_INET, text, &a) != 1)
        return 0;
    if (out)
        *out = a;
    return 1;
}

in_addr_t inet_addr(const char *text)
{
    struct in_addr a;

    return inet_aton(text, &a) ? a.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr in)
{
    static __thread char buf[INET_ADDRSTRLEN];

    return (char *)inet_ntop(AF_INET, &in, buf, sizeof(buf));
}

/* --- names ----------------------------------------------------------------------- */

/* The address of the first interface (0 if none is up). */
static uint32_t own_address(void)
{
    struct netsock_ifinfo info;

    if (!netsock_ifinfo)
        return 0;
    for (unsigned i = 0; netsock_ifinfo(i, &info) == 0; i++)
        if (info.addr)
            return info.addr;
    return 0;
}

/* Looks a name up: numeric, hosts=, localhost, our hostname, DNS. */
static int resolve(const char *name, uint32_t *out)
{
    struct in_addr a;

    if (inet_aton(name, &a)) {
        *out = a.s_addr;
        return 1;
    }
    const char *hosts = cmdline_get(boot_get_cmdline(), "hosts");
    size_t nlen = strlen(name);
    for (const char *e = hosts; e && *e; e = strchr(e, ',') ? strchr(e, ',') + 1 : NULL) {
        const char *colon = strchr(e, ':');
        size_t elen = strcspn(e, ",");
        if (!colon || (size_t)(colon - e) >= elen || (size_t)(colon - e) != nlen ||
            strncasecmp(e, name, nlen))
            continue;
        char addr[INET_ADDRSTRLEN];
        size_t alen = elen - nlen - 1;
        if (alen >= sizeof(addr))
            continue;
        memcpy(addr, colon + 1, alen);
        addr[alen] = '\0';
        if (inet_aton(addr, &a)) {
            *out = a.s_addr;
            return 1;
        }
    }
    if (!strcasecmp(name, "localhost")) {
        *out = htonl(INADDR_LOOPBACK);
        return 1;
    }
    if (!strcasecmp(name, hostname_option()) && (*out = own_address()))
        return 1;
    /* Then DNS, where DHCP named a server (weak: absent without the network). */
    return netsock_resolve && netsock_resolve(name, out) == 0;
}

struct hostent *gethostbyname(const char *name)
{
    static __thread struct hostent h;
    static __thread char hname[256];
    static __thread uint32_t addr;
    static __thread char *addrs[2];
    static __thread char *aliases[1];
    uint32_t a;

    if (!name || !resolve(name, &a)) {
        h_errno = HOST_NOT_FOUND;
        return NULL;
    }
    snprintf(hname, sizeof(hname), "%s", name);
    addr = a;
    addrs[0] = (char *)&addr;
    addrs[1] = NULL;
    aliases[0] = NULL;
    h = (struct hostent){ hname, aliases, AF_INET, 4, addrs };
    return &h;
}

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
    char text[INET_ADDRSTRLEN];

    if (type != AF_INET || len != 4 || !inet_ntop(AF_INET, addr, text, sizeof(text))) {
        h_errno = HOST_NOT_FOUND;
        return NULL;
    }
    return gethostbyname(text);
}

/* --- getaddrinfo ------------------------------------------------------------------ */

struct addrinfo_block {
    struct addrinfo ai;
    struct sockaddr_in sin;
    char canon[64];
};

static int parse_service(const char *service, int numeric_only, uint16_t *port)
{
    char *end;

    if (!service) {
        *port = 0;
        return 0;
    }
    unsigned long v = strtoul(service, &end, 10);
    if (*service && !*end && v <= 65535) {
        *port = (uint16_t)v;
        return 0;
    }
    (void)numeric_only;         /* no services database: names never resolve */
    return EAI_SERVICE;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    struct addrinfo h = { 0 };
    uint16_t port;
    uint32_t addr;

    if (hints)
        h = *hints;
    if (!node && !service)
        return EAI_NONAME;
    if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET)
        return EAI_FAMILY;
    if (h.ai_socktype != 0 && h.ai_socktype != SOCK_STREAM && h.ai_socktype != SOCK_DGRAM &&
        h.ai_socktype != SOCK_RAW)
        return EAI_SOCKTYPE;
    int err = parse_service(service, h.ai_flags & AI_NUMERICSERV, &port);
    if (err)
        return err;
    if (!node) {
        addr = (h.ai_flags & AI_PASSIVE) ? htonl(INADDR_ANY) : htonl(INADDR_LOOPBACK);
    } else if (h.ai_flags & AI_NUMERICHOST) {
        struct in_addr a;
        if (!inet_aton(node, &a))
            return EAI_NONAME;
        addr = a.s_addr;
    } else if (!resolve(node, &addr)) {
        return EAI_NONAME;
    }

    /* One entry per socket type asked for (both when none was). */
    static const int types[2] = { SOCK_STREAM, SOCK_DGRAM };
    struct addrinfo *head = NULL, **tail = &head;
    for (int i = 0; i < 2; i++) {
        if (h.ai_socktype && h.ai_socktype != types[i])
            continue;
        struct addrinfo_block *b = calloc(1, sizeof(*b));
        if (!b) {
            freeaddrinfo(head);
            return EAI_MEMORY;
        }
        b->sin.sin_family = AF_INET;
        b->sin.sin_port = htons(port);
        b->sin.sin_addr.s_addr = addr;
        b->ai.ai_family = AF_INET;
        b->ai.ai_socktype = types[i];
        b->ai.ai_protocol = h.ai_protocol ? h.ai_protocol
                                          : types[i] == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
        b->ai.ai_addrlen = sizeof(b->sin);
        b->ai.ai_addr = (struct sockaddr *)&b->sin;
        if ((h.ai_flags & AI_CANONNAME) && node && !head) {
            snprintf(b->canon, sizeof(b->canon), "%s", node);
            b->ai.ai_canonname = b->canon;
        }
        *tail = &b->ai;
        tail = &b->ai.ai_next;
    }
    if (!head)                  /* SOCK_RAW asked for */
        return EAI_SOCKTYPE;
    *res = head;
    return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res);              /* the block starts with its addrinfo */
        res = next;
    }
}

const char *gai_strerror(int err)
{
    switch (err) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Bad value for ai_flags";
    case EAI_NONAME: return "Name or service not known";
    case EAI_AGAIN: return "Temporary failure in name resolution";
    case EAI_FAIL: return "Non-recoverable failure in name resolution";
    case EAI_FAMILY: return "ai_family not supported";
    case EAI_SOCKTYPE: return "ai_socktype not supported";
    case EAI_SERVICE: return "Servname not supported for ai_socktype";
    case EAI_MEMORY: return "Memory allocation failure";
    case EAI_SYSTEM: return "System error";
    case EAI_OVERFLOW: return "Argument buffer overflow";
    default: return "Unknown error";
    }
}

/* Numeric only: there is no reverse table worth consulting. */
int getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host, socklen_t hostlen,
                char *serv, socklen_t servlen, int flags)
{
    const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;

    if (!addr || addrlen < sizeof(*sin) || sin->sin_family != AF_INET)
        return EAI_FAMILY;
    if (flags & NI_NAMEREQD)
        return EAI_NONAME;
    if (host && hostlen && !inet_ntop(AF_INET, &sin->sin_addr, host, hostlen))
        return EAI_OVERFLOW;
    if (serv && servlen &&
        snprintf(serv, servlen, "%u", ntohs(sin->sin_port)) >= (int)servlen)
        return EAI_OVERFLOW;
    return 0;
}

/* --- getifaddrs -------------------------------------------------------------------- */

struct ifaddrs_block {
    struct ifaddrs ifa;
    struct sockaddr_in addr, netmask, broadcast;
    char name[IFNAMSIZ];
};

static struct ifaddrs *ifaddrs_entry(const char *name, uint32_t addr, uint32_t mask,
                                     unsigned flags)
{
    struct ifaddrs_block *b = calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    snprintf(b->name, sizeof(b->name), "%s", name);
    b->addr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = addr };
    b->netmask = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = mask };
    b->broadcast = (struct sockaddr_in){ .sin_family = AF_INET,
                                         .sin_addr.s_addr = (addr & mask) | ~mask };
    b->ifa.ifa_name = b->name;
    b->ifa.ifa_flags = flags;
    b->ifa.ifa_addr = (struct sockaddr *)&b->addr;
    b->ifa.ifa_netmask = (struct sockaddr *)&b->netmask;
    if (flags & IFF_BROADCAST)
        b->ifa.ifa_broadaddr = (struct sockaddr *)&b->broadcast;
    return &b->ifa;
}

int getifaddrs(struct ifaddrs **out)
{
    struct ifaddrs *head = ifaddrs_entry("lo", htonl(INADDR_LOOPBACK), htonl(0xff000000u),
                                         IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
    struct ifaddrs **tail = head ? &head->ifa_next : &head;
    struct netsock_ifinfo info;

    if (!head)
        return (int)syscall_result(-ENOMEM);
    for (unsigned i = 0; netsock_ifinfo && netsock_ifinfo(i, &info) == 0; i++) {
        unsigned flags = IFF_BROADCAST | (info.up ? IFF_UP | IFF_RUNNING : 0);
        struct ifaddrs *e = ifaddrs_entry(info.name, info.addr, info.netmask, flags);
        if (!e) {
            freeifaddrs(head);
            return (int)syscall_result(-ENOMEM);
        }
        *tail = e;
        tail = &e->ifa_next;
    }
    *out = head;
    return 0;
}

void freeifaddrs(struct ifaddrs *ifa)
{
    while (ifa) {
        struct ifaddrs *next = ifa->ifa_next;
        free(ifa);              /* the block starts with its ifaddrs */
        ifa = next;
    }
}
