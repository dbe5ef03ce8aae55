"""What every area's operations share: who acts (:mod:`.actors`), how a lost race becomes
a conflict (:mod:`.concurrency`), the checks every action starts with (:mod:`.checks`) and
how an action is recorded and told (:mod:`.effects`).  Nothing here imports Flask."""
