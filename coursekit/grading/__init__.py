"""Grading untrusted notebooks, by concern:

- kernel/:  the student's kernel: the bubblewrap sandbox that starts it (sandbox), its resource
            limits (limits), and the bounded client nbclient talks to it with (client);
- split/:   test cells run in the grading process against the kernel's names: the runner (grader),
            the instructor's cells from the gradebook (instructor), the kernel as the grader sees it
            (student), the grader's own connection (channel), the kernel's side (agent) and the
            plain data between them (wire);
- plugins/: nbgrader plug-ins, one per module: LimitedExecute (Execute with limits, the sandbox
            and split grading), DeduplicateIds and OverwriteCells (sanitizing that costs only the
            exercise at fault), CheckCellMetadata (its schema compiled once), SaveAutoGrades
            (nbgrader's; it and OverwriteCells read a notebook's rows once: notebook_gradebook);
- batch/:   a class at once: what to grade (selection), one notebook at a time (serial), on many
            processes or a Dask cluster with one process recording (parallel; worker, the unit of
            work; rows, a student's gradebook rows as plain data; progress);
- scan/:    the static tamper scan of submissions, which reads the code and never runs it.
"""
