// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

int bg_vec_resize(void *arrp, size_t n, size_t elem)
{
	void *arr, *grown;

	if (!n || !elem || n > SIZE_MAX / elem)
		return -ENOMEM;
	/* arrp points at a T *, not a void *: read and write it as bytes */
	memcpy(&arr, arrp, sizeof(arr));
	grown = realloc(arr, n * elem);
	if (!grown)
		return -ENOMEM;
	memcpy(arrp, &grown, sizeof(grown));
	return 0;
}

int bg_vec_grow(void *arrp, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : BG_VEC_MIN;
	int ret;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	ret = bg_vec_resize(arrp, ncap, elem);
	if (!ret)
		*cap = ncap;
	return ret;
}
