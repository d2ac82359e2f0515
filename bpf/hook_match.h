/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hook_match.h - the decisions of the cgroup hooks over a compiled
 * struct bg_netpol.  Plain C with no helpers, included by
 * cgroup_hooks.bpf.c *and* by user/core/cghooks.c, so the unit tests run the
 * very code the kernel runs against a reference evaluator of the policy IR.
 *
 * Include after bpfguard.h; define BG_HM_INLINE first if the side needs
 * something other than `static inline`.
 */
#ifndef BG_HOOK_MATCH_H
#define BG_HOOK_MATCH_H

#ifndef BG_HM_INLINE
#define BG_HM_INLINE static inline
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BG_HM_BE32(x) __builtin_bswap32(x)
#else
#define BG_HM_BE32(x) (x)
#endif

/*
 * An IPv6 socket reaches IPv4 peers through mapped addresses
 * (::ffff:a.b.c.d) and the kernel then never runs the *4 hook, so they are
 * judged by the IPv4 rules; otherwise "deny 10.0.0.0/8" would be one
 * AF_INET6 socket away.  Returns 4 (address moved to ip[0]) or 6.
 */
BG_HM_INLINE __u32 bg_hm_unmap(__u32 *ip)
{
	if (ip[0] == 0 && ip[1] == 0 && ip[2] == BG_HM_BE32(0xffffu)) {
		ip[0] = ip[3];
		ip[2] = ip[3] = 0;
		return 4;
	}
	return 6;
}

/*
 * First rule that matches decides; none: the direction's default.  *err:
 * the errno a denial fails with (EPERM unless the policy named one).
 * fam is 4 or 6; ip[] in network byte order (IPv4 in ip[0]); port in host
 * byte order; proto IPPROTO_*.
 */
BG_HM_INLINE __u32 bg_hm_net(const struct bg_net_dirpol *d, __u32 fam, const __u32 *ip,
			     __u32 port, __u32 proto, __u32 *err)
{
	for (int i = 0; i < BG_NET_MAX_RULES; i++) {
		const struct bg_net_rule *r = &d->rule[i];

		if (i >= (int)d->nrules)
			break;
		if (r->family && r->family != fam)
			continue;
		if (r->proto && r->proto != proto)
			continue;
		if (port < r->port_lo || port > r->port_hi)
			continue;
		if ((ip[0] & r->mask[0]) != r->addr[0])
			continue;
		if (fam == 6 && ((ip[1] & r->mask[1]) != r->addr[1] ||
				 (ip[2] & r->mask[2]) != r->addr[2] ||
				 (ip[3] & r->mask[3]) != r->addr[3]))
			continue;
		*err = r->err ? r->err : 1;
		return r->action;
	}
	*err = d->dflt_err ? d->dflt_err : 1;
	return d->dflt;
}

/* Allow list: some rule covers the device and every requested access. */
BG_HM_INLINE __u32 bg_hm_dev(const struct bg_netpol *p, __u32 type, __u32 major, __u32 minor,
			     __u32 access)
{
	for (int i = 0; i < BG_DEV_MAX_RULES; i++) {
		const struct bg_dev_rule *r = &p->dev[i];

		if (i >= (int)p->ndev)
			break;
		if (r->type && r->type != type)
			continue;
		if (r->major != BG_DEV_ANY && r->major != major)
			continue;
		if (r->minor != BG_DEV_ANY && r->minor != minor)
			continue;
		if ((access & r->access) == access)
			return BG_NET_ALLOW;
	}
	return BG_NET_DENY;
}

/* socket(): only AF_INET and AF_INET6 reach cgroup/sock_create. */
BG_HM_INLINE __u32 bg_hm_socket(const struct bg_netpol *p, __u32 family, __u32 type)
{
	if (family >= 64 || !(p->families & (1ULL << family)))
		return BG_NET_DENY;
	if (type >= 32 || !(p->types & (1u << type)))
		return BG_NET_DENY;
	return BG_NET_ALLOW;
}

#endif
