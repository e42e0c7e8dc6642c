"""python -m xzcore …: every command of the command line, main.py the parser and dispatch, one
module a group of commands (imports, users, cycle, problems, nodes, report)."""
