"""Planning tools for a cluster or a region group (区域分工与补链招商规划)."""
