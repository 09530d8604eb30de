"""The credit record: rule sets by date, breach categories, breaches (a typed source, no foreign
key up), measures, red and black lists, grades, repair rules, publicity and its automatic end."""
