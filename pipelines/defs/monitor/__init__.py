"""Current to the month: the press-reported China customs figures, the national tariff lines
of the controlled items, and (as SQL marts) the partner-side monthly imports they are read with."""
