/* Real descriptors for tests that check "closed exactly once, never
 * leaked": open ones, ask whether one is open, count the process's. */
#ifndef PRH_TEST_FD_HELPERS_H
#define PRH_TEST_FD_HELPERS_H

int count_open_fds(void);
int is_open(int fd);
int new_fd(void); /* a fresh /dev/null descriptor; fails the test if none */

#endif
