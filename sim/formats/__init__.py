"""Files in other programs' formats: Gambit's extensive (.efg) and normal (.nfg) forms.

Solvers never read or write files; these modules do, for the games the solvers solve.
"""
