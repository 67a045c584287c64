print("mde-shipper: not built yet")
