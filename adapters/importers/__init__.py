"""Readers for the public registers' files: GIAS establishments and Ofsted inspections."""
