print("only what the image needs was copied")
