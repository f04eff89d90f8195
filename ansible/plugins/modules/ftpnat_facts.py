#!/usr/bin/python
# -*- coding: utf-8 -*-
# Part of the collection ftpnat.router (ansible/ in the ftpnat repository); docs/ansible.md.
# Copyright: the ftpnat authors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ftpnat_facts
short_description: Gather ftpnat's status, policy, conntrack, expectations and FTP sessions as facts
description:
  - Asks C(ftpnatd) on its unix socket (docs/api.md of ftpnat) and returns what it knows as the
    fact C(ansible_facts.ftpnat).
  - Never changes anything. Needs root or membership of the C(ftpnat) group on the managed host.
version_added: "0.1.0"
author: ftpnat maintainers (@ftpnat)
options:
  gather:
    description:
      - What to gather. C(status) (daemon, kernel capabilities, policy summary, conntrack counts);
        C(policy) (the running policy text, its digest and the nftables ruleset); C(conntrack)
        (conntrack entries matching I(conntrack_filter), at most I(conntrack_limit));
        C(conntrack_count); C(expectations); C(sessions) (FTP sessions the daemon models);
        C(all).
    type: list
    elements: str
    choices: [all, status, policy, conntrack, conntrack_count, expectations, sessions]
    default: [status, policy, conntrack_count, expectations, sessions]
  conntrack_filter:
    description:
      - Filters for C(conntrack) and C(conntrack_count), as C(conntrack -L) matches them
        (C(family), C(protocol), C(src), C(dst), C(sport), C(dport), C(helper), C(mark), C(zone),
        C(state), C(nat)).
    type: dict
    default: {}
  conntrack_limit:
    description:
      - At most this many conntrack entries (and expectations, sessions) are returned; the
        C(*_complete) facts say whether the list was cut. Conntrack tables hold up to millions of
        entries.
    type: int
    default: 1000
  socket:
    description: The daemon's API socket.
    type: path
    default: /run/ftpnat/ftpnat.sock
  timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 30.0
  wait:
    description: Seconds to wait for the socket of a daemon that is starting (not in check mode).
    type: float
    default: 30.0
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Read only.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
    details: Read only.
  facts:
    description: Action returns an C(ansible_facts) dictionary that will update existing host facts.
    support: full
    details: Returns C(ansible_facts.ftpnat).
seealso:
  - module: ftpnat.router.ftpnat_policy
"""

EXAMPLES = r"""
- name: Gather ftpnat facts
  ftpnat.router.ftpnat_facts:

- name: FTP control connections through the router (helper attached)
  ftpnat.router.ftpnat_facts:
    gather: [conntrack]
    conntrack_filter: {protocol: tcp, helper: ftp}
    conntrack_limit: 200

- name: Fail when the router runs another policy than expected
  ansible.builtin.assert:
    that: ansible_facts.ftpnat.policy.digest == expected_digest
"""

RETURN = r"""
ansible_facts:
  description: Facts to add to ansible_facts.
  returned: always
  type: dict
  contains:
    ftpnat:
      description: What the daemon answered, by subset.
      type: dict
      contains:
        socket:
          description: The socket asked.
          type: str
        status:
          description: The daemon's C(status) answer (version, pid, uptime, kernel capabilities, policy summary, counts).
          type: dict
          returned: when gathered
        policy:
          description: C(file), C(digest), C(applied_at), C(policy) (text) and C(ruleset) (nftables text).
          type: dict
          returned: when gathered
        conntrack:
          description: Conntrack entries (objects as in docs/api.md).
          type: list
          elements: dict
          returned: when gathered
        conntrack_complete:
          description: False when I(conntrack_limit) cut the list.
          type: bool
          returned: when conntrack is gathered
        conntrack_count:
          description: Number of conntrack entries matching I(conntrack_filter).
          type: int
          returned: when gathered
        expectations:
          description: The kernel's expectation table.
          type: list
          elements: dict
          returned: when gathered
        sessions:
          description: FTP sessions (control connection, expectations, data connections).
          type: list
          elements: dict
          returned: when gathered
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ftpnat.router.plugins.module_utils.ftpnat_api import (
    FtpnatError, FtpnatUnreachable, client_for, socket_argument_spec)

SUBSETS = ["status", "policy", "conntrack", "conntrack_count", "expectations", "sessions"]


def main():
    argument_spec = dict(
        gather=dict(type="list", elements="str", choices=["all"] + SUBSETS,
                    default=["status", "policy", "conntrack_count", "expectations", "sessions"]),
        conntrack_filter=dict(type="dict", default={}),
        conntrack_limit=dict(type="int", default=1000),
    )
    argument_spec.update(socket_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    gather = module.params["gather"]
    subsets = SUBSETS if "all" in gather else [s for s in SUBSETS if s in gather]
    limit = module.params["conntrack_limit"]
    filters = module.params["conntrack_filter"] or {}
    facts = {"socket": module.params["socket"]}

    def client():
        return client_for(module)

    try:
        with client() as api:
            if "status" in subsets:
                facts["status"] = api.call("status")
            if "policy" in subsets:
                facts["policy"] = api.call("policy.show")
            if "conntrack_count" in subsets:
                facts["conntrack_count"] = api.call("conntrack.count", filters).get("count")
        # streams: a connection each (a stream cut at the limit closes its connection)
        for subset, cmd, args in (("conntrack", "conntrack.list", filters),
                                  ("expectations", "expect.list", None),
                                  ("sessions", "sessions", None)):
            if subset in subsets:
                with client() as api:
                    items, complete = api.stream(cmd, args, limit=limit)
                facts[subset] = items
                facts[subset + "_complete"] = complete
    except FtpnatError as e:
        module.fail_json(msg="ftpnatd refused: %s" % e.message, error_code=e.code)
    except FtpnatUnreachable as e:
        module.fail_json(msg=str(e), error_code="unreachable")
    module.exit_json(changed=False, ansible_facts={"ftpnat": facts})


if __name__ == "__main__":
    main()
