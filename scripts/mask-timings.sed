# Masks what differs from run to run in the embenchen programs' output, so
# that runs can be compared: decimals (some print their own timings), times
# of day, and the padding around them (printf widths follow the numbers).
# Used as: sed -E -f scripts/mask-timings.sed
s/[0-9]+\.[0-9]+/#/g
s/[0-9]+:[0-9]+:[0-9]+ [AP]M/#/
s/[[:space:]]+/ /g
s/ $//
