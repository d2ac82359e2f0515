// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* exec_target - the small static binary scripts/bench-exec executes. */
int main(void)
{
	return 0;
}
