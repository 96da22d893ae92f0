"""Oncology-trial logic on top of the form engine (Qt-free): the visit schedule."""
