"""Tools for moving a site to a strict Content-Security-Policy.

The rollout goes: send the policy report-only, collect the reports
(:mod:`.violations` reads them and says what to change), hash the inline
blocks that must stay (:mod:`.hashes`, reading pages with :mod:`.markup`),
then enforce. The command line is in :mod:`.commands`.
"""
