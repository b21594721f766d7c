-- Drawing in the quiet ones: when each member last posted, commented or reacted in a space
-- (their last read is members.read_up_to), and whether the coachee agreed to be counted when
-- quiet (engagement's consent counted_when_quiet, on unless switched off).
ALTER TABLE members ADD COLUMN last_active_at timestamptz;
ALTER TABLE members ADD COLUMN quiet_invited_at timestamptz;
ALTER TABLE contracts ADD COLUMN counted_when_quiet boolean NOT NULL DEFAULT true;
