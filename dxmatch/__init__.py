"""dxmatch: matching manufacturers with SW/AI suppliers for regional DX hubs."""
