import Autograd
print("lethe")
