"""The areas a school's case file is made of, one module each: an area holds its entries, its
rules, its commands, its part of the case file's state and the fold over its entries, and its
deadlines. ``domain.case_file`` composes the aggregate from them and ``domain.status`` the
state; a new statutory area is a new module here plus one line in each."""
