#!/usr/bin/python
# -*- coding: utf-8 -*-
# Part of the collection ftpnat.router (ansible/ in the ftpnat repository); docs/ansible.md.
# Copyright: the ftpnat authors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ftpnat_policy
short_description: Check or apply an ftpnat policy through the daemon's API socket
description:
  - Talks to C(ftpnatd) on its unix socket (newline-delimited JSON, see docs/api.md of ftpnat).
  - With I(state=applied), sends the policy text to the daemon, which validates it (including a
    kernel dry run), applies it to the kernel as one nftables transaction and then saves it as
    its policy file. Nothing is sent when the daemon already runs exactly this policy, so the
    module is idempotent.
  - With I(state=checked), only validates (never changes anything).
  - With I(state=reloaded), makes the daemon re-read its own policy file if the ruleset it renders
    differs from the running one (as C(systemctl reload ftpnatd) does, but idempotent and with the
    daemon's answer, so a refused policy fails the task).
  - A policy the daemon refuses fails the task with the daemon's message (file, line, column,
    field of every problem); the running policy stays as it was.
  - Applying needs root (or the daemon's C(--admin-group)); checking needs the C(ftpnat) group.
version_added: "0.1.0"
author: ftpnat maintainers (@ftpnat)
options:
  content:
    description:
      - The policy (YAML text).
      - Mutually exclusive with I(src).
    type: str
  src:
    description:
      - A policy file on the managed host, read and sent as text.
      - Mutually exclusive with I(content).
    type: path
  source_name:
    description:
      - The name the daemon uses for the text in its error messages.
      - Defaults to I(src), or C(ansible:ftpnat_policy) for I(content).
    type: str
  state:
    description:
      - C(applied) makes the daemon run this policy; C(checked) only validates it (or, without
        I(content) and I(src), the daemon's own file); C(reloaded) makes the daemon re-read its
        policy file when it differs from what the daemon runs.
    type: str
    choices: [applied, checked, reloaded]
    default: applied
  socket:
    description: The daemon's API socket.
    type: path
    default: /run/ftpnat/ftpnat.sock
  timeout:
    description: Seconds to wait for the daemon's answer.
    type: float
    default: 30.0
  wait:
    description:
      - Seconds to wait for the daemon's socket to accept connections, for a daemon that is
        starting (systemd reports C(ftpnatd.service) started before the JVM has bound its socket).
      - Not in check mode.
    type: float
    default: 30.0
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Validates through the daemon and reports whether the policy would change; applies nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: Shows the running policy text against the new one.
notes:
  - The daemon reports C(changed) when the rendered ruleset differs; this module also reports a
    change when only the text differs (comments), because the daemon's policy file is rewritten.
seealso:
  - module: ftpnat.router.ftpnat_facts
requirements:
  - ftpnatd running on the managed host
"""

EXAMPLES = r"""
- name: Apply a policy kept next to the playbook
  ftpnat.router.ftpnat_policy:
    content: "{{ lookup('ansible.builtin.file', 'policies/edge.yaml') }}"

- name: Apply the policy file already on the router (e.g. written by the ftpnat role)
  ftpnat.router.ftpnat_policy:
    src: /etc/ftpnat/policy.yaml

- name: Validate a candidate policy on the router, change nothing
  ftpnat.router.ftpnat_policy:
    content: "{{ candidate_policy }}"
    state: checked
  register: verdict

- name: Make the daemon re-read its policy file and fail if it refuses it
  ftpnat.router.ftpnat_policy:
    state: reloaded
"""

RETURN = r"""
digest:
  description: Digest of the ruleset the daemon runs (or, for I(state=checked), would run).
  returned: success
  type: str
  sample: 6989d857d1188649
previous_digest:
  description: Digest of the ruleset before the change.
  returned: when the daemon had a policy
  type: str
ruleset_changed:
  description: Whether the nftables ruleset changed (or would change).
  returned: success
  type: bool
valid:
  description: The daemon accepted the policy.
  returned: success
  type: bool
file:
  description: The daemon's policy file.
  returned: success
  type: str
  sample: /etc/ftpnat/policy.yaml
msg:
  description: What happened, or the daemon's error.
  returned: always
  type: str
error_code:
  description: The daemon's error code (C(invalid_policy), C(kernel), C(forbidden), ...).
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ftpnat.router.plugins.module_utils.ftpnat_api import (
    FtpnatError, FtpnatUnreachable, client_for, socket_argument_spec)


def fail_daemon(module, e, **result):
    if isinstance(e, FtpnatError):
        module.fail_json(msg="ftpnatd refused: %s" % e.message, error_code=e.code, **result)
    module.fail_json(msg=str(e), error_code="unreachable", **result)


def read_text(module):
    if module.params["content"] is not None:
        return module.params["content"], module.params["source_name"] or "ansible:ftpnat_policy"
    if module.params["src"] is not None:
        try:
            with open(module.params["src"], "rb") as f:
                return f.read().decode("utf-8"), module.params["source_name"] or module.params["src"]
        except (IOError, OSError, UnicodeDecodeError) as e:
            module.fail_json(msg="cannot read %s: %s" % (module.params["src"], e))
    return None, None


def main():
    argument_spec = dict(
        content=dict(type="str"),
        src=dict(type="path"),
        source_name=dict(type="str"),
        state=dict(type="str", default="applied", choices=["applied", "checked", "reloaded"]),
    )
    argument_spec.update(socket_argument_spec())
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("content", "src")],
        required_if=[("state", "applied", ("content", "src"), True)],
        supports_check_mode=True,
    )
    state = module.params["state"]
    text, label = read_text(module)
    if state == "reloaded" and text is not None:
        module.fail_json(msg="state=reloaded re-reads the daemon's own file: give neither content nor src")

    result = dict(changed=False)
    try:
        with client_for(module) as api:
            if state == "checked":
                args = {"policy": text, "source": label} if text is not None else None
                verdict = api.call("policy.check", args)
                result.update(valid=True, digest=verdict.get("digest"), ruleset_changed=bool(verdict.get("changes")),
                              msg="the daemon accepts the policy (%s)" % (
                                  "the ruleset would change" if verdict.get("changes") else "no change to the ruleset"))
                module.exit_json(**result)

            try:
                running = api.call("policy.show")
            except FtpnatError as e:
                if e.code != "internal":
                    raise
                running = {}  # the daemon has no policy applied yet
            result.update(file=running.get("file"), previous_digest=running.get("digest"))

            if state == "reloaded":
                verdict = api.call("policy.check")
                changed = bool(verdict.get("changes"))
                result.update(changed=changed, valid=True, digest=verdict.get("digest"), ruleset_changed=changed)
                if not changed:
                    result["msg"] = "the daemon already runs %s" % running.get("file")
                    module.exit_json(**result)
                if module.check_mode:
                    result["msg"] = "the daemon would re-read %s" % running.get("file")
                    module.exit_json(**result)
                answer = api.call("policy.apply")
                result.update(changed=bool(answer.get("changed")), digest=answer.get("digest"),
                              ruleset_changed=bool(answer.get("changed")),
                              msg="the daemon re-read %s" % running.get("file"))
                module.exit_json(**result)

            # applied
            verdict = api.call("policy.check", {"policy": text, "source": label})
            ruleset_changed = bool(verdict.get("changes"))
            text_changed = running.get("policy") != text
            changed = ruleset_changed or text_changed
            result.update(valid=True, digest=verdict.get("digest"), ruleset_changed=ruleset_changed, changed=changed)
            if module._diff and changed:
                result["diff"] = dict(before=running.get("policy") or "", after=text,
                                      before_header="ftpnatd: %s (running)" % running.get("file"),
                                      after_header=label)
            if not changed:
                result["msg"] = "the daemon already runs this policy"
                module.exit_json(**result)
            if module.check_mode:
                result["msg"] = "the policy would be applied (%s)" % (
                    "ruleset changes" if ruleset_changed else "only the text differs")
                module.exit_json(**result)
            answer = api.call("policy.apply", {"policy": text, "source": label})
            result.update(digest=answer.get("digest"), ruleset_changed=bool(answer.get("changed")),
                          msg="policy applied and saved to %s" % running.get("file"))
            module.exit_json(**result)
    except (FtpnatError, FtpnatUnreachable) as e:
        if isinstance(e, FtpnatUnreachable) and module.check_mode and state == "reloaded":
            module.exit_json(changed=True, msg="ftpnatd is not running (%s); it reads its policy file when it starts" % e)
        fail_daemon(module, e, **result)


if __name__ == "__main__":
    main()
