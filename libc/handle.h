/*
 * handle.h - 32-bit names for objects.
 *
 * newlib's <pthread.h> makes pthread_t, pthread_mutex_t, pthread_cond_t,
 * pthread_rwlock_t, pthread_barrier_t and pthread_key_t 32-bit integers,
 * so the objects live in the heap and the integer names them. A statically
 * initialized object (PTHREAD_MUTEX_INITIALIZER, ...) holds
 * HANDLE_STATIC_INIT until its first use creates it.
 *
 * Contract: handle_new returns 0 when memory runs out (0 is never a valid
 * handle). handle_get of a freed or never-issued handle returns NULL.
 * Thread-safe.
 */
#ifndef LIBC_HANDLE_H
#define LIBC_HANDLE_H

#include <stdint.h>

#define HANDLE_STATIC_INIT 0xFFFFFFFFu

uint32_t handle_new(void *object);
void *handle_get(uint32_t handle);
void handle_free(uint32_t handle);

/*
 * Resolves *slot, creating the object with `create` if the slot still
 * holds HANDLE_STATIC_INIT. Racing first uses agree on one object: the
 * loser's is passed to `destroy`. NULL on failure or garbage.
 */
void *handle_resolve(volatile uint32_t *slot, void *(*create)(void), void (*destroy)(void *));

/*
 * For objects from the kernel heap: handle_publish names `object` through
 * *slot and returns 0, or frees it and returns ENOMEM; handle_retire frees
 * both the name and the object; handle_object_free suits handle_resolve.
 */
int handle_publish(volatile uint32_t *slot, void *object);
void handle_retire(volatile uint32_t *slot, void *object);
void handle_object_free(void *object);

#endif
