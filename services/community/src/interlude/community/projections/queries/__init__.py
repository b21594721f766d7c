"""Every SQL question community asks of its read models, by topic: commands and reactions ask
:mod:`.contracts` and :mod:`.members`; reads ask :mod:`.spaces`, :mod:`.posts` and
:mod:`.notices`. Rows come back sealed: the app layer opens what the reader may see."""
