"""Representation: who may act for a subject, and on what proof.

A subject acts through its legal representative and the agents that representative authorised
for a scope of matters and a period. Typing a code only makes a claim (drafts, no signature);
a representation is proven by the identity provider's claims, a signature with a CA-issued
enterprise certificate carrying the code, or an officer's approval of an authorisation letter.
"""
