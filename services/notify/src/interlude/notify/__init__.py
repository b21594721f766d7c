"""notify: who is told what, where and when, without leaking what was said."""
