"""An LTI 1.3 tool (LTI Advantage): the roster from the LMS, a submission page, the scores back to its gradebook.

- config:    LtiTool, the registration and the push rules (nbgrader_config.py: c.LtiTool.*)
- keys:      the tool's RSA key pair, its key set, what an LMS admin pastes (`coursekit-lti keys`)
- store:     the tool's state in the database beside the gradebook (tables lti_*)
- storage:   pylti1p3's launch data in the store; nonces used once
- launch, claims: OIDC login and the launch, checked (pylti1p3, plus what it leaves out); what pages read of it
- sessions, guard: the tool's own session after a launch, CSRF tokens, security headers
- web, tool_state: the Flask app (login, launch, key set) and what its views share
- student_page: the student's page: the release, the due date, uploads, states, feedback
- class_page: the instructor's page: the class, withheld grades cleared, scores pushed again, the roster
- uploads:   LtiUploads, the upload rules (names, size, nbformat, rate limit)
- handin, submissions, atomic: an upload recorded as a whole submission, kept, made nbgrader's
- queue:     the grading queue in the store (claims, superseding, stale claims given back)
- worker:    LtiWorker, the grading worker process (`coursekit-lti worker`)
- grading:   every call into the grading engine (the one adapter)
- server:    LtiServer, cheroot serving the app (HTTPS) (`coursekit-lti serve`)
- transport, retry, connector, platform: HTTP to the LMS (bounded, timed out, retried, tokens cached)
- members, enrol, roster: Names and Roles into the gradebook (`coursekit-lti roster`)
- context, lineitem, push, push_now: Assignment and Grade Services (`coursekit-lti push`; at once after grading)
- hook:      coursekit-grade's push at its end
- cli:       `coursekit-lti`
docs/lti.md is the guide.
"""
