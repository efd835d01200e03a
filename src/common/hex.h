/* Hex input, for the CLI and the test clients, which take CDBs, keys and
 * parameter lists in hex. Not part of the wire protocol. */
#ifndef PRH_HEX_H
#define PRH_HEX_H

/* Value of one hex digit, or -1. */
static inline int prh_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
