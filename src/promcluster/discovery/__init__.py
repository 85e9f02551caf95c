"""Discovering a cluster: specialisation, related activities, likely participants and their places
in the cluster's chains."""
