/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * vec.h - growing arrays.
 *
 * An array that grows as it is filled keeps its pointer, its count and its
 * capacity (in elements, a size_t) where its owner likes; before storing
 * element n the owner makes room:
 *
 *	if (BG_VEC_RESERVE(l->v, l->cap, l->n + 1))
 *		return -ENOMEM;
 *	l->v[l->n++] = x;
 *
 * The capacity doubles (from BG_VEC_MIN), so n pushes cost O(n) copies, and
 * the size is checked for overflow before it is computed.  On failure the
 * array and its capacity are unchanged: the owner still holds (and frees)
 * what it had.
 *
 * A short array that lives in a struct other code copies, borrows or
 * empties (a policy's argument rules, its exec list) has no capacity that
 * could go stale: it is resized to exactly its count (BG_VEC_RESIZE), which
 * its small fixed limit keeps cheap.
 */
#ifndef BG_VEC_H
#define BG_VEC_H

#include <stddef.h>

#define BG_VEC_MIN 16

/* Makes room for at least `need` elements of `elem` bytes in the array
 * *(T **)arrp of capacity *cap: 0, or -ENOMEM (out of memory, or the size
 * does not fit a size_t). */
int bg_vec_grow(void *arrp, size_t *cap, size_t need, size_t elem);

/* Resizes the array *(T **)arrp to exactly n (> 0) elements of elem bytes:
 * 0, or -ENOMEM (the array unchanged). */
int bg_vec_resize(void *arrp, size_t n, size_t elem);

/* The typed forms: arr is an lvalue pointer, cap an lvalue size_t. */
#define BG_VEC_RESERVE(arr, cap, need) bg_vec_grow(&(arr), &(cap), (need), sizeof(*(arr)))
#define BG_VEC_RESIZE(arr, n) bg_vec_resize(&(arr), (n), sizeof(*(arr)))

#endif
