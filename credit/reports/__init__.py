"""Special credit reports (专项信用报告): requested by a subject's representative, issued as a
sealed PDF, checked by anyone by reference."""
